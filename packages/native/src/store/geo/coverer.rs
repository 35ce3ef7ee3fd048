//! S2's region coverer as the Go library Dgraph uses runs it
//! (`regioncoverer.go`): the same candidates in the same order, its priority
//! queue kept with the exact moves of Go's `container/heap`, so that when
//! candidates tie the same one is expanded first and the covering comes out
//! cell for cell as Dgraph's. (The `s2` crate's coverer uses Rust's
//! `BinaryHeap`, whose ties go another way.)

use s2::cell::Cell;
use s2::cellid::{CellID, MAX_LEVEL};
use s2::cellunion::CellUnion;

/// What a covering needs of a region.
pub trait CoverRegion {
    fn contains_cell(&self, cell: &Cell) -> bool;
    fn intersects_cell(&self, cell: &Cell) -> bool;
    /// A few cells covering the region (Go's `CellUnionBound`).
    fn cell_union_bound(&self) -> Vec<CellID>;
}

/// A covering's limits; `level_mod` is 1 (Dgraph's 0, clamped).
pub struct Coverer {
    pub min_level: u64,
    pub max_level: u64,
    pub max_cells: usize,
}

struct Candidate {
    cell: Cell,
    terminal: bool,
    children: Vec<Candidate>,
    priority: i64,
}

/// Go's `container/heap` over `Less(i, j) = pq[i].priority > pq[j].priority`.
#[derive(Default)]
struct GoHeap(Vec<Candidate>);

impl GoHeap {
    fn less(&self, i: usize, j: usize) -> bool {
        self.0[i].priority > self.0[j].priority
    }

    fn push(&mut self, c: Candidate) {
        self.0.push(c);
        let mut j = self.0.len() - 1;
        while j > 0 {
            let i = (j - 1) / 2;
            if !self.less(j, i) {
                break;
            }
            self.0.swap(i, j);
            j = i;
        }
    }

    fn pop(&mut self) -> Option<Candidate> {
        let n = self.0.len().checked_sub(1)?;
        self.0.swap(0, n);
        let mut i = 0;
        loop {
            let j1 = 2 * i + 1;
            if j1 >= n {
                break;
            }
            let mut j = j1;
            if j1 + 1 < n && self.less(j1 + 1, j1) {
                j = j1 + 1;
            }
            if !self.less(j, i) {
                break;
            }
            self.0.swap(i, j);
            i = j;
        }
        self.0.pop()
    }
}

impl Coverer {
    /// Go's `RegionCoverer.Covering`: normalized, then cells above
    /// `min_level` replaced by their descendants at it.
    pub fn covering(&self, region: &dyn CoverRegion) -> Vec<CellID> {
        let mut run = Run {
            c: self,
            region,
            result: Vec::new(),
            pq: GoHeap::default(),
        };
        run.initial_candidates();
        while let Some(cand) = run.pq.pop() {
            let level = cand.cell.level() as u64;
            let n = cand.children.len();
            if level < self.min_level
                || n == 1
                || run.result.len() + run.pq.0.len() + n <= self.max_cells
            {
                for child in cand.children {
                    run.add_candidate(Some(child));
                }
            } else {
                let mut cand = cand;
                cand.terminal = true;
                run.add_candidate(Some(cand));
            }
        }
        // Go normalizes and denormalizes in coveringInternal, then again in CellUnion and
        // Covering: the same cells, as normalizing a denormalized union gives it back.
        let mut cu = CellUnion(run.result);
        cu.normalize();
        cu.denormalize(self.min_level, 1);
        cu.0
    }
}

struct Run<'a> {
    c: &'a Coverer,
    region: &'a dyn CoverRegion,
    result: Vec<CellID>,
    pq: GoHeap,
}

impl Run<'_> {
    fn new_candidate(&self, cell: Cell) -> Option<Candidate> {
        if !self.region.intersects_cell(&cell) {
            return None;
        }
        let level = cell.level() as u64;
        let terminal = level >= self.c.min_level
            && (level + 1 > self.c.max_level || self.region.contains_cell(&cell));
        Some(Candidate {
            cell,
            terminal,
            children: Vec::new(),
            priority: 0,
        })
    }

    /// The children of `cand` that meet the region; returns how many are terminal.
    fn expand_children(&self, cand: &mut Candidate) -> usize {
        let mut terminals = 0;
        let id = cand.cell.id;
        let end = id.child_end();
        let mut ci = id.child_begin();
        while ci != end {
            if let Some(child) = self.new_candidate(Cell::from(&ci)) {
                terminals += usize::from(child.terminal);
                cand.children.push(child);
            }
            ci = ci.next();
        }
        terminals
    }

    fn add_candidate(&mut self, cand: Option<Candidate>) {
        let Some(mut cand) = cand else {
            return;
        };
        if cand.terminal {
            self.result.push(cand.cell.id);
            return;
        }
        let terminals = self.expand_children(&mut cand);
        let level = cand.cell.level() as i64;
        let n = cand.children.len();
        if n == 0 {
            return;
        }
        if terminals == 4 && level as u64 >= self.c.min_level {
            cand.terminal = true;
            self.add_candidate(Some(cand));
        } else {
            cand.priority = -((((level << 2) + n as i64) << 2) + terminals as i64);
            self.pq.push(cand);
        }
    }

    /// Go's `initialCandidates`: the region's cell-union bound, as
    /// `FastCovering` with at most 4 cells normalizes it.
    fn initial_candidates(&mut self) {
        let mut cells: Vec<CellID> = self
            .region
            .cell_union_bound()
            .into_iter()
            .map(|ci| {
                let level = ci.level();
                let new_level = level.min(self.c.max_level);
                if new_level != level && self.c.max_level < MAX_LEVEL {
                    ci.parent(new_level)
                } else {
                    ci
                }
            })
            .collect();
        let mut cu = CellUnion(std::mem::take(&mut cells));
        cu.normalize();
        for ci in cu.0 {
            let cand = self.new_candidate(Cell::from(&ci));
            self.add_candidate(cand);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_heap_pops_by_priority_and_breaks_ties_as_go() {
        let cell = Cell::from(&CellID::from_face(0));
        let cand = |p| Candidate {
            cell: cell.clone(),
            terminal: false,
            children: Vec::new(),
            priority: p,
        };
        let mut h = GoHeap::default();
        for p in [-5, -3, -9, -3, -1, -7] {
            h.push(cand(p));
        }
        let order: Vec<i64> = std::iter::from_fn(|| h.pop().map(|c| c.priority)).collect();
        assert_eq!(order, vec![-1, -3, -3, -5, -7, -9]);
    }
}
