//! A vector with a free list: stable typed ids, memory bounded by the peak number alive.

use super::ids::Id;
use std::marker::PhantomData;

/// Reusable storage for short-lived records (invocations, tasks), indexed by ids of kind `I`.
#[derive(Debug)]
pub struct Slab<I, T> {
    items: Vec<T>,
    /// Whether each slot holds a live record (a removed one keeps its value until reused).
    live: Vec<bool>,
    free: Vec<I>,
    kind: PhantomData<I>,
}

impl<I, T> Default for Slab<I, T> {
    fn default() -> Self {
        Slab {
            items: Vec::new(),
            live: Vec::new(),
            free: Vec::new(),
            kind: PhantomData,
        }
    }
}

impl<I: Id + Ord, T> Slab<I, T> {
    /// Stores `item` and returns its id.
    pub fn insert(&mut self, item: T) -> I {
        match self.free.pop() {
            Some(id) => {
                self.items[id.index()] = item;
                self.live[id.index()] = true;
                id
            }
            None => {
                self.items.push(item);
                self.live.push(true);
                I::from_index(self.items.len() - 1)
            }
        }
    }

    /// Marks `id` reusable (its value stays until overwritten).
    pub fn remove(&mut self, id: I) {
        self.live[id.index()] = false;
        self.free.push(id);
    }

    /// Whether `id` names a live record (inserted and not removed since).
    pub fn contains(&self, id: I) -> bool {
        self.live.get(id.index()).copied().unwrap_or(false)
    }

    /// Records alive (inserted and not removed).
    pub fn len(&self) -> usize {
        self.items.len() - self.free.len()
    }

    /// Ids ever handed out and not freed, in ascending order.
    pub fn live_ids(&self) -> Vec<I> {
        let mut free = self.free.clone();
        free.sort_unstable();
        (0..self.items.len())
            .map(I::from_index)
            .filter(|i| free.binary_search(i).is_err())
            .collect()
    }
}

impl<I: Id, T> std::ops::Index<I> for Slab<I, T> {
    type Output = T;
    #[inline(always)]
    fn index(&self, id: I) -> &T {
        &self.items[id.index()]
    }
}

impl<I: Id, T> std::ops::IndexMut<I> for Slab<I, T> {
    #[inline(always)]
    fn index_mut(&mut self, id: I) -> &mut T {
        &mut self.items[id.index()]
    }
}

/// Side data kept for some of a slab's records, by their id: a vector of options, so a look-up
/// is an index (no hashing) and memory is bounded, like the slab's, by the peak alive. The
/// entry of a record must be removed before the slab hands its id out again.
#[derive(Debug)]
pub struct SideTable<I, T> {
    items: Vec<Option<T>>,
    kind: PhantomData<I>,
}

impl<I, T> Default for SideTable<I, T> {
    fn default() -> Self {
        SideTable {
            items: Vec::new(),
            kind: PhantomData,
        }
    }
}

impl<I: Id, T> SideTable<I, T> {
    /// Stores `value` for `id`; returns what was there.
    pub fn insert(&mut self, id: I, value: T) -> Option<T> {
        if self.items.len() <= id.index() {
            self.items.resize_with(id.index() + 1, || None);
        }
        self.items[id.index()].replace(value)
    }

    /// Takes the value of `id` out.
    pub fn remove(&mut self, id: I) -> Option<T> {
        self.items.get_mut(id.index()).and_then(Option::take)
    }

    /// The value of `id`, if any.
    pub fn get(&self, id: I) -> Option<&T> {
        self.items.get(id.index()).and_then(Option::as_ref)
    }

    /// Every value, by ascending id.
    pub fn values(&self) -> impl Iterator<Item = &T> {
        self.items.iter().flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ids::InvId;

    #[test]
    fn side_table_holds_one_value_per_id() {
        let mut slab: Slab<InvId, u8> = Slab::default();
        let (a, b) = (slab.insert(1), slab.insert(2));
        let mut side = SideTable::default();
        assert_eq!(side.insert(b, "b"), None);
        assert_eq!(side.get(a), None);
        assert_eq!(side.get(b), Some(&"b"));
        assert_eq!(side.insert(b, "b2"), Some("b"));
        assert_eq!(side.remove(b), Some("b2"));
        assert_eq!(side.remove(b), None);
        assert_eq!(side.remove(a), None);
    }
}
