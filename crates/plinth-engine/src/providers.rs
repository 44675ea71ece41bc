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

#[derive(Clone)]
struct Entry {
    provider: OnceLock<Arc<dyn Provider>>,
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
        let entry = Entry { provider: OnceLock::from(provider), make: None, addr: format!("provider[\"{source}\"]") };
        self.map.insert(local_name.to_string(), entry);
    }

    /// Registers a provider that `make` builds when a run first asks for it:
    /// building one means building its schema, which for a large provider
    /// costs more than planning a small configuration that does not use it.
    pub fn add_lazy(&mut self, local_name: &str, source: &str, make: impl Fn() -> Arc<dyn Provider> + Send + Sync + 'static) {
        let entry = Entry { provider: OnceLock::new(), make: Some(Arc::new(make)), addr: format!("provider[\"{source}\"]") };
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
