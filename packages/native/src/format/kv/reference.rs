//! The reference structural check of a KVList: a plain protobuf field
//! walker that reports exactly what is wrong. [`super::fast`] must never
//! accept what this rejects.

use super::check_user_meta;
use crate::codec::error::{CodecError, Result};

/// The reference check: gives the exact error.
pub(super) fn validate_kv_list(buf: &[u8]) -> Result<()> {
    let bad = |why: &str| CodecError::corrupt(format!("bad KVList protobuf: {why}"));
    walk_fields(buf, &mut |field, wire, body| {
        if field == 1 {
            if wire != 2 {
                return Err(bad("KV field has the wrong wire type"));
            }
            let mut meta: Option<&[u8]> = None;
            walk_fields(body, &mut |f, w, b| {
                if f == 3 && w == 2 {
                    meta = Some(b);
                }
                Ok(())
            })
            .map_err(|e| bad(&e.message))?;
            check_user_meta(meta.unwrap_or(&[]))?;
        }
        Ok(())
    })
}

fn walk_fields<'a>(
    mut buf: &'a [u8],
    f: &mut dyn FnMut(u64, u8, &'a [u8]) -> Result<()>,
) -> Result<()> {
    let err = |why: &str| CodecError::corrupt(why.to_string());
    while !buf.is_empty() {
        let tag = prost::encoding::decode_varint(&mut buf).map_err(|_| err("bad tag varint"))?;
        let (field, wire) = (tag >> 3, (tag & 7) as u8);
        if field == 0 {
            return Err(err("field number 0"));
        }
        let body: &[u8] = match wire {
            0 => {
                prost::encoding::decode_varint(&mut buf).map_err(|_| err("bad varint"))?;
                &[]
            }
            1 | 5 => {
                let n = if wire == 1 { 8 } else { 4 };
                if buf.len() < n {
                    return Err(err("truncated fixed field"));
                }
                let (b, rest) = buf.split_at(n);
                buf = rest;
                b
            }
            2 => {
                let n = prost::encoding::decode_varint(&mut buf).map_err(|_| err("bad length"))?;
                if n > buf.len() as u64 {
                    return Err(err("length-delimited field overruns"));
                }
                let (b, rest) = buf.split_at(n as usize);
                buf = rest;
                b
            }
            3 => {
                // A group: prost skips it as an unknown field (nested groups too), so this
                // check must accept it as well.
                let tag = u32::try_from(field).map_err(|_| err("field number too large"))?;
                prost::encoding::skip_field(
                    prost::encoding::WireType::StartGroup,
                    tag,
                    &mut buf,
                    prost::encoding::DecodeContext::default(),
                )
                .map_err(|_| err("bad group"))?;
                &[]
            }
            _ => return Err(err("unsupported wire type")),
        };
        f(field, wire, body)?;
    }
    Ok(())
}
