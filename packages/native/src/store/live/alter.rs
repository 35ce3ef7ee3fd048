//! Schema changes (`alter`): drops, predicate entries (with the derived
//! keys their directives call for) and type entries, in one transaction.

use super::derived::{rebuild, Rebuild};
use super::keys::{kind_prefix, schema_key, type_key};
use super::schema::{put_entry, to_update, type_update, validate, Schema};
use super::types::{AlterRequest, SchemaPredicate};
use super::LiveStore;
use crate::format::keys::{KIND_COUNT, KIND_COUNT_REV, KIND_DATA, KIND_INDEX, KIND_REVERSE};
use crate::store::engine::Txn;
use crate::store::error::{Result, StoreError};
use crate::store::mvcc::Drop;
use crate::store::tokenize::Tokenizer;

impl LiveStore {
    /// Applies a schema change at `commit_ts` (one fsynced transaction):
    /// drops first, then predicates (rebuilding or deleting derived keys
    /// whose directives changed), then types.
    pub fn alter(&self, commit_ts: u64, req: &AlterRequest) -> Result<()> {
        // Validate everything before writing anything.
        let mut checked = Vec::with_capacity(req.predicates.len());
        for sp in &req.predicates {
            checked.push((sp, validate(sp)?));
        }
        for t in &req.types {
            if t.name.is_empty() {
                return Err(StoreError::invalid("type name must not be empty"));
            }
        }
        let _g = self.lock();
        let wtxn = self.store.write_txn()?;
        self.check_ts(commit_ts)?;
        self.drops_in(&wtxn, req)?;
        for (sp, toks) in checked {
            self.alter_predicate(&wtxn, commit_ts, sp, &toks)?;
        }
        for t in &req.types {
            let key = type_key(t.namespace, &t.name);
            put_entry(&self.store, &wtxn, &key, commit_ts, &type_update(t))?;
        }
        self.bump_meta(&wtxn, commit_ts, 0)?;
        wtxn.commit()?;
        Ok(())
    }

    /// The drops of an alter (in namespace `req.namespace`).
    fn drops_in(&self, wtxn: &Txn<'_>, req: &AlterRequest) -> Result<()> {
        let ns = req.namespace;
        if req.drop_all {
            self.drop_in(wtxn, &Drop::All)?;
        }
        if req.drop_data {
            self.drop_in(wtxn, &Drop::Data(Some(ns)))?;
        }
        if let Some(attr) = req.drop_attr.as_deref().filter(|a| !a.is_empty()) {
            let attr_bytes = attr.as_bytes().to_vec();
            self.drop_in(
                wtxn,
                &Drop::Attr {
                    ns,
                    attr: attr_bytes,
                },
            )?;
            self.store.delete_prefix_in(wtxn, &schema_key(ns, attr))?;
        }
        if let Some(t) = req.drop_type.as_deref().filter(|a| !a.is_empty()) {
            self.store.delete_prefix_in(wtxn, &type_key(ns, t))?;
        }
        Ok(())
    }

    fn drop_in(&self, wtxn: &Txn<'_>, d: &Drop) -> Result<()> {
        for p in d.prefixes() {
            if p.is_empty() {
                self.store.postings_db().clear(wtxn)?;
            } else {
                self.store.delete_prefix_in(wtxn, &p)?;
            }
        }
        Ok(())
    }

    fn has_data(&self, txn: &Txn<'_>, ns: u64, attr: &str, ts: u64) -> Result<bool> {
        let p = kind_prefix(ns, attr, KIND_DATA);
        let mut found = false;
        self.store.scan_from_in(txn, &p, &p, ts, &mut |_| {
            found = true;
            Ok(false)
        })?;
        Ok(found)
    }

    /// Writes the new entry of one predicate; deletes the derived keys whose
    /// directive changed and rebuilds those that are now wanted.
    fn alter_predicate(
        &self,
        wtxn: &Txn<'_>,
        ts: u64,
        sp: &SchemaPredicate,
        toks: &[Tokenizer],
    ) -> Result<()> {
        let (ns, attr) = (sp.namespace, sp.predicate.as_str());
        let old = self.load_schema(wtxn, ns, attr, ts)?;
        let new = Schema::new(to_update(sp, toks));
        if let Some(o) = &old {
            if (o.vt != new.vt || o.su.list != new.su.list) && self.has_data(wtxn, ns, attr, ts)? {
                return Err(StoreError::invalid(format!(
                    "cannot change predicate {attr} from {} to {} while it has data: drop its data first (dropAttr)",
                    o.shown(),
                    new.shown()
                )));
            }
        }
        put_entry(&self.store, wtxn, &schema_key(ns, attr), ts, &new.su)?;

        let old_toks: Vec<Tokenizer> = old.as_ref().map(|o| o.toks.clone()).unwrap_or_default();
        let old_rev = old.as_ref().is_some_and(|o| o.reverse());
        let old_count = old.as_ref().is_some_and(|o| o.su.count);
        // the same tokenizers in another order keep the same index keys
        let sorted = |t: &[Tokenizer]| {
            let mut t = t.to_vec();
            t.sort_unstable();
            t
        };
        let idx_changed = sorted(&old_toks) != sorted(&new.toks);
        let rev_changed = old_rev != new.reverse();
        let count_changed = old_count != new.su.count;
        let stale = [
            (idx_changed, KIND_INDEX),
            (rev_changed, KIND_REVERSE),
            (count_changed, KIND_COUNT),
            (rev_changed || count_changed, KIND_COUNT_REV),
        ];
        for (changed, kind) in stale {
            if changed {
                self.store
                    .delete_prefix_in(wtxn, &kind_prefix(ns, attr, kind))?;
            }
        }
        let need = Rebuild {
            index: idx_changed && !new.toks.is_empty(),
            reverse: rev_changed && new.reverse(),
            count: count_changed && new.su.count,
            count_rev: (rev_changed || count_changed) && new.reverse() && new.su.count,
        };
        if !need.any() {
            return Ok(());
        }
        rebuild(&self.store, wtxn, ts, (ns, attr), &new, need)
    }
}
