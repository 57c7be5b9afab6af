//! A vector with a free list: stable u32 ids, memory bounded by the peak number alive.

/// Reusable storage for short-lived records (invocations, tasks).
#[derive(Debug)]
pub struct Slab<T> {
    items: Vec<T>,
    free: Vec<u32>,
}

impl<T> Default for Slab<T> {
    fn default() -> Self {
        Slab {
            items: Vec::new(),
            free: Vec::new(),
        }
    }
}

impl<T> Slab<T> {
    /// Stores `item` and returns its id.
    pub fn insert(&mut self, item: T) -> u32 {
        match self.free.pop() {
            Some(id) => {
                self.items[id as usize] = item;
                id
            }
            None => {
                self.items.push(item);
                (self.items.len() - 1) as u32
            }
        }
    }

    /// Marks `id` reusable (its value stays until overwritten).
    pub fn remove(&mut self, id: u32) {
        self.free.push(id);
    }

    /// Records alive (inserted and not removed).
    pub fn len(&self) -> usize {
        self.items.len() - self.free.len()
    }

    /// Ids ever handed out and not freed, in no particular order.
    pub fn live_ids(&self) -> Vec<u32> {
        let mut free = self.free.clone();
        free.sort_unstable();
        (0..self.items.len() as u32)
            .filter(|i| free.binary_search(i).is_err())
            .collect()
    }
}

impl<T> std::ops::Index<u32> for Slab<T> {
    type Output = T;
    fn index(&self, id: u32) -> &T {
        &self.items[id as usize]
    }
}

impl<T> std::ops::IndexMut<u32> for Slab<T> {
    fn index_mut(&mut self, id: u32) -> &mut T {
        &mut self.items[id as usize]
    }
}
