//! The providers a run may use, by local name, with the address state records
//! for them. Filled by the binary; the engine never names a provider itself.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use plinth_lang::functions::Registry;
use plinth_provider::Provider;

#[derive(Default, Clone)]
pub struct Providers {
    map: HashMap<String, Entry>,
    functions: Option<Arc<Registry>>,
}

/// Makes a provider the first time a run asks for it.
type Make = Arc<dyn Fn() -> Arc<dyn Provider> + Send + Sync>;

/// Clones of a `Providers` share each entry's provider, built or not, so a
/// provider configured through one clone is configured in all.
#[derive(Clone)]
struct Entry {
    provider: Arc<OnceLock<Arc<dyn Provider>>>,
    make: Option<Make>,
    /// `provider["<source>"]`
    addr: String,
}

impl Entry {
    fn provider(&self) -> &Arc<dyn Provider> {
        self.provider.get_or_init(|| (self.make.as_ref().expect("an entry without a provider has a maker"))())
    }
}

impl Providers {
    pub fn new() -> Providers {
        Providers::default()
    }

    /// Registers `provider` under its local name (`aws`), with the source it is
    /// recorded under in state (`registry.terraform.io/hashicorp/aws`).
    pub fn add(&mut self, local_name: &str, source: &str, provider: Arc<dyn Provider>) {
        let entry = Entry { provider: Arc::new(OnceLock::from(provider)), make: None, addr: format!("provider[\"{source}\"]") };
        self.map.insert(local_name.to_string(), entry);
    }

    /// Registers a provider that `make` builds when a run first asks for it:
    /// building one means building its schema, which for a large provider
    /// costs more than planning a small configuration that does not use it.
    pub fn add_lazy(&mut self, local_name: &str, source: &str, make: impl Fn() -> Arc<dyn Provider> + Send + Sync + 'static) {
        let entry = Entry { provider: Arc::new(OnceLock::new()), make: Some(Arc::new(make)), addr: format!("provider[\"{source}\"]") };
        self.map.insert(local_name.to_string(), entry);
    }

    pub fn get(&self, local_name: &str) -> Option<(Arc<dyn Provider>, String)> {
        self.map.get(local_name).map(|e| (e.provider().clone(), e.addr.clone()))
    }

    /// The provider under `local_name`, borrowed.
    pub fn provider(&self, local_name: &str) -> Option<&dyn Provider> {
        self.map.get(local_name).map(|e| e.provider().as_ref())
    }

    /// Functions the providers contribute (`provider::<name>::<function>`),
    /// which expressions may call.
    pub fn set_functions(&mut self, functions: Registry) {
        self.functions = Some(Arc::new(functions));
    }

    pub fn functions(&self) -> Option<Arc<Registry>> {
        self.functions.clone()
    }

    pub fn names(&self) -> impl Iterator<Item = &String> {
        self.map.keys()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    use super::Providers;

    #[test]
    fn a_lazy_provider_is_built_once_and_shared_by_clones() {
        static BUILT: AtomicUsize = AtomicUsize::new(0);
        let mut p = Providers::new();
        p.add_lazy("random", "registry.terraform.io/hashicorp/random", || {
            BUILT.fetch_add(1, Ordering::SeqCst);
            Arc::new(plinth_provider_random::RandomProvider::new())
        });
        let q = p.clone();
        assert_eq!(BUILT.load(Ordering::SeqCst), 0, "not built before it is asked for");
        let (a, addr) = p.get("random").expect("registered");
        let (b, _) = q.get("random").expect("registered");
        assert!(Arc::ptr_eq(&a, &b), "clones share the provider");
        assert_eq!(BUILT.load(Ordering::SeqCst), 1);
        assert_eq!(addr, "provider[\"registry.terraform.io/hashicorp/random\"]");
        assert!(p.get("aws").is_none());
    }
}
