// v0.rs holds generic Rust code (impls, closures, const generics through std) whose symbols, built with
// -C symbol-mangling-version=v0, test Leakscope's v0 demangling against c++filt.
use std::collections::HashMap;
struct Cache<K, V> { m: HashMap<K, V> }
impl<K: std::hash::Hash + Eq, V> Cache<K, V> {
    #[inline(never)] fn new() -> Self { Cache { m: HashMap::new() } }
    #[inline(never)] fn put(&mut self, k: K, v: V) { self.m.insert(k, v); }
}
impl Default for Cache<u32, String> { fn default() -> Self { Cache::new() } }
fn main() {
    let mut c: Cache<u32, String> = Default::default();
    c.put(1, "a".into());
    let mut d: Cache<String, Vec<u8>> = Cache::new();
    d.put("x".into(), vec![1]);
    let f = |x: u32| x + 1;
    println!("{} {} {}", c.m.len(), d.m.len(), f(1));
}
