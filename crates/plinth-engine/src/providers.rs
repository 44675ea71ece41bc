//! The providers a run may use, by local name, with the address state records
//! for them. Filled by the binary; the engine never names a provider itself.

use std::collections::HashMap;
use std::sync::Arc;

use plinth_lang::functions::Registry;
use plinth_provider::Provider;

#[derive(Default, Clone)]
pub struct Providers {
    map: HashMap<String, (Arc<dyn Provider>, String)>,
    functions: Option<Arc<Registry>>,
}

impl Providers {
    pub fn new() -> Providers {
        Providers::default()
    }

    /// Registers `provider` under its local name (`aws`), with the source it is
    /// recorded under in state (`registry.terraform.io/hashicorp/aws`).
    pub fn add(&mut self, local_name: &str, source: &str, provider: Arc<dyn Provider>) {
        self.map.insert(local_name.to_string(), (provider, format!("provider[\"{source}\"]")));
    }

    pub fn get(&self, local_name: &str) -> Option<(Arc<dyn Provider>, String)> {
        self.map.get(local_name).cloned()
    }

    /// The provider under `local_name`, borrowed.
    pub fn provider(&self, local_name: &str) -> Option<&dyn Provider> {
        self.map.get(local_name).map(|(p, _)| p.as_ref())
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
