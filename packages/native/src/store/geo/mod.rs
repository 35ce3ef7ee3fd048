//! Geo values (WKB) under Dgraph's `geo` index: reading them (`wkb`), their
//! index tokens (`tokens`: a point's cells, a polygon's covering from
//! `coverer` over `loop_cover`), and DQL's geo functions (`query`), all over
//! the sphere loops of `sphere_loop`.

mod coverer;
mod face_clip;
mod loop_cover;
mod query;
mod shape_index;
mod sphere_loop;
mod tokens;
pub(crate) mod wkb;

pub use query::{GeoFn, GeoQuery};
pub use tokens::geo_terms;
