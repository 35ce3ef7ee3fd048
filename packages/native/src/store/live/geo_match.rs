//! DQL's geo functions `near within contains intersects` over a
//! predicate's stored geo values, decided per value as Dgraph decides them
//! (see [`crate::store::geo::GeoQuery`]). Dgraph requires an index on the
//! predicate and so does Strata. At the root the candidates are the subjects
//! under the index terms Dgraph reads for the call; in a filter, the given
//! subjects.

use super::keys::{data_key, index_key};
use super::lists::read_list;
use super::LiveStore;
use crate::format::proto::{BackupPostingList, ValType};
use crate::store::error::{Result, StoreError};
use crate::store::geo::GeoQuery;
use crate::store::tokenize::Tokenizer;
use std::collections::BTreeSet;

fn holds(q: &GeoQuery, pl: &BackupPostingList) -> bool {
    pl.postings
        .iter()
        .any(|p| p.val_type == ValType::Geo as i32 && !p.value.is_empty() && q.matches(&p.value))
}

impl LiveStore {
    /// The subjects whose value of `attr` satisfies `q`, ascending: among
    /// `among` (ascending) in a filter, else every subject with a value.
    pub fn geo_match(
        &self,
        attr: &str,
        q: &GeoQuery,
        among: Option<&[u64]>,
        read_ts: u64,
        ns: u64,
    ) -> Result<Vec<u64>> {
        let rtxn = self.view(read_ts)?;
        let indexed = self
            .load_schema(&rtxn, ns, attr, read_ts)?
            .is_some_and(|s| !s.toks.is_empty());
        if !indexed {
            return Err(StoreError::invalid(format!(
                "Predicate {attr} is not indexed"
            )));
        }
        let candidates: Vec<u64> = match among {
            Some(among) => among.to_vec(),
            None => {
                let mut found = BTreeSet::new();
                for t in &q.index_terms().map_err(StoreError::invalid)? {
                    let token = [&[Tokenizer::Geo.id()][..], t].concat();
                    let key = index_key(ns, attr, &token);
                    found.extend(read_list(&self.store, &rtxn, &key, read_ts)?.uids);
                }
                found.into_iter().collect()
            }
        };
        let mut out = Vec::new();
        for s in candidates {
            let pl = read_list(&self.store, &rtxn, &data_key(ns, attr, s), read_ts)?;
            if holds(q, &pl) {
                out.push(s);
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use crate::format::proto::ValType;
    use crate::store::geo::wkb::tests::point;
    use crate::store::geo::{GeoFn, GeoQuery};
    use crate::store::live::Edge;
    use crate::store::test_support::{alter_preds, sp, temp_live};

    #[test]
    fn geo_functions_at_the_root_and_among_subjects() {
        let (_t, s) = temp_live("geomatch");
        let mut place = sp("place", ValType::Geo);
        place.index = vec!["geo".into()];
        let plain = sp("plain", ValType::Geo);
        alter_preds(&s, 1, vec![place, plain]);
        let set = |subject, p: &str, lng, lat| {
            Edge::set_value(subject, p, &point(lng, lat), ValType::Geo)
        };
        s.apply_mutations(
            2,
            &[
                set(1, "place", 0.0, 0.0),
                set(2, "place", 0.0, 0.5),
                set(3, "place", 0.0, 2.0),
                set(4, "plain", 0.0, 0.0),
            ],
        )
        .unwrap();
        let near = GeoQuery::new(GeoFn::Near, &point(0.0, 0.0), Some(60_000.0)).unwrap();
        assert_eq!(s.geo_match("place", &near, None, 2, 0).unwrap(), vec![1, 2]);
        assert_eq!(
            s.geo_match("place", &near, Some(&[2, 3]), 2, 0).unwrap(),
            vec![2]
        );
        assert_eq!(
            s.geo_match("place", &near, None, 1, 0).unwrap(),
            Vec::<u64>::new()
        );
        let e = s.geo_match("plain", &near, None, 2, 0).unwrap_err();
        assert!(
            e.message().contains("Predicate plain is not indexed"),
            "{e}"
        );
    }
}
