//! The provider's schemas, with the Terraform kubernetes provider's names.

use plinth_provider::{AttributeSchema as A, BlockSchema, NestedBlock, Nesting, ProviderSchema, ResourceSchema};
use plinth_value::Type;

fn block(attrs: Vec<(&str, A)>, blocks: Vec<(&str, NestedBlock)>) -> BlockSchema {
    BlockSchema {
        attributes: attrs.into_iter().map(|(k, a)| (k.to_string(), a)).collect(),
        blocks: blocks.into_iter().map(|(k, b)| (k.to_string(), b)).collect(),
    }
}

fn nested(nesting: Nesting, block: BlockSchema, min_items: usize, max_items: usize) -> NestedBlock {
    NestedBlock { nesting, block, min_items, max_items }
}

fn timeouts(which: &[&str]) -> NestedBlock {
    nested(Nesting::Single, block(which.iter().map(|w| (*w, A::optional(Type::String))).collect(), vec![]), 0, 1)
}

pub fn provider_schema() -> ProviderSchema {
    let provider = block(
        vec![
            ("host", A::optional(Type::String)),
            ("username", A::optional(Type::String)),
            ("password", A::optional(Type::String).sensitive()),
            ("token", A::optional(Type::String).sensitive()),
            ("cluster_ca_certificate", A::optional(Type::String)),
            ("client_certificate", A::optional(Type::String)),
            ("client_key", A::optional(Type::String).sensitive()),
            ("config_path", A::optional(Type::String)),
            ("config_paths", A::optional(Type::list(Type::String))),
            ("config_context", A::optional(Type::String)),
            ("config_context_auth_info", A::optional(Type::String)),
            ("config_context_cluster", A::optional(Type::String)),
            ("insecure", A::optional(Type::Bool)),
            ("tls_server_name", A::optional(Type::String)),
            ("proxy_url", A::optional(Type::String)),
            ("ignore_annotations", A::optional(Type::list(Type::String))),
            ("ignore_labels", A::optional(Type::list(Type::String))),
        ],
        vec![],
    );
    let manifest = block(
        vec![
            ("manifest", A::required(Type::Dynamic)),
            ("object", A::computed(Type::Dynamic)),
            ("computed_fields", A::optional(Type::list(Type::String))),
        ],
        vec![
            (
                "field_manager",
                nested(
                    Nesting::Single,
                    block(vec![("name", A::optional(Type::String)), ("force_conflicts", A::optional(Type::Bool))], vec![]),
                    0,
                    1,
                ),
            ),
            (
                "wait",
                nested(
                    Nesting::Single,
                    block(
                        vec![("rollout", A::optional(Type::Bool)), ("fields", A::optional(Type::map(Type::String)))],
                        vec![(
                            "condition",
                            nested(
                                Nesting::List,
                                block(vec![("type", A::optional(Type::String)), ("status", A::optional(Type::String))], vec![]),
                                0,
                                0,
                            ),
                        )],
                    ),
                    0,
                    1,
                ),
            ),
            ("timeouts", timeouts(&["create", "update", "delete"])),
        ],
    );
    let ns_metadata = block(
        vec![
            ("name", A::optional_computed(Type::String)),
            ("generate_name", A::optional(Type::String)),
            ("labels", A::optional(Type::map(Type::String))),
            ("annotations", A::optional(Type::map(Type::String))),
            ("uid", A::computed(Type::String)),
            ("resource_version", A::computed(Type::String)),
            ("generation", A::computed(Type::Number)),
        ],
        vec![],
    );
    let namespace = block(
        vec![("id", A::computed(Type::String)), ("wait_for_default_service_account", A::optional(Type::Bool))],
        vec![("metadata", nested(Nesting::List, ns_metadata, 1, 1)), ("timeouts", timeouts(&["delete"]))],
    );
    let resource_ds = block(
        vec![("api_version", A::required(Type::String)), ("kind", A::required(Type::String)), ("object", A::computed(Type::Dynamic))],
        vec![(
            "metadata",
            nested(
                Nesting::Single,
                block(vec![("name", A::required(Type::String)), ("namespace", A::optional(Type::String))], vec![]),
                1,
                1,
            ),
        )],
    );
    let resources_ds = block(
        vec![
            ("api_version", A::required(Type::String)),
            ("kind", A::required(Type::String)),
            ("namespace", A::optional(Type::String)),
            ("label_selector", A::optional(Type::String)),
            ("field_selector", A::optional(Type::String)),
            ("limit", A::optional(Type::Number)),
            ("objects", A::computed(Type::Dynamic)),
        ],
        vec![],
    );
    let mut s = ProviderSchema { provider, ..Default::default() };
    s.resources.insert("kubernetes_manifest".into(), ResourceSchema { version: 1, block: manifest });
    s.resources.insert("kubernetes_namespace".into(), ResourceSchema { version: 0, block: namespace });
    s.data_sources.insert("kubernetes_resource".into(), ResourceSchema { version: 0, block: resource_ds });
    s.data_sources.insert("kubernetes_resources".into(), ResourceSchema { version: 0, block: resources_ds });
    s
}
