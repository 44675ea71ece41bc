use plinth_state::statefile::read_state;
use plinth_state::{AbsResourceInstance, DeposedKey, EachMode, InstanceObject, ModuleInstance, MoveError, State, Target};
use serde_json::json;

use crate::REALISTIC;

const AWS: &str = r#"provider["registry.terraform.io/hashicorp/aws"]"#;

fn addr(s: &str) -> AbsResourceInstance {
    s.parse().unwrap()
}

fn list(state: &State) -> Vec<String> {
    state.instance_addrs().map(|a| a.to_string()).collect()
}

#[test]
fn state_list_order_of_realistic_file() {
    let state = read_state(REALISTIC.as_bytes()).unwrap();
    assert_eq!(
        list(&state),
        [
            "data.aws_ami.ubuntu",
            "aws_instance.web[0]",
            "aws_instance.web[1]",
            "aws_instance.web[10]",
            "aws_vpc.main",
            r#"terraform_data.cfg["a"]"#,
            r#"terraform_data.cfg["b c"]"#,
            r#"module.network["east"].aws_subnet.this[0]"#,
            r#"module.network["east"].module.inner.aws_route.r"#,
        ]
    );
    let web = "aws_instance.web".parse().unwrap();
    assert_eq!(state.resource(&web).unwrap().each_mode(), EachMode::List);
    let cfg = "terraform_data.cfg".parse().unwrap();
    assert_eq!(state.resource(&cfg).unwrap().each_mode(), EachMode::Map);
}

#[test]
fn set_get_remove_and_prune() {
    let mut state = State::new();
    let a = addr(r#"module.m["k"].aws_vpc.v[0]"#);
    state.set_current(&a, Some(InstanceObject::new(json!({"id": "vpc-1"}))), AWS);
    assert_eq!(state.current(&a).unwrap().attributes["id"], "vpc-1");
    assert_eq!(state.resource(&a.resource).unwrap().provider, AWS);

    // Deposing moves the current object aside.
    let dk = state.depose_current(&a).unwrap();
    assert_eq!(dk.as_str().len(), 8);
    assert!(state.current(&a).is_none());
    assert_eq!(list(&state), [r#"module.m["k"].aws_vpc.v[0]"#]);
    state.set_current(&a, Some(InstanceObject::new(json!({"id": "vpc-2"}))), AWS);
    state.set_deposed(&a, dk.clone(), None, AWS);
    assert!(state.instance(&a).unwrap().deposed.is_empty());

    // Removing the last object removes instance, resource and module.
    state.set_current(&a, None, AWS);
    assert!(state.instance(&a).is_none());
    assert!(state.module(&a.resource.module).is_none());
    assert!(state.is_empty());

    state.set_deposed(&a, DeposedKey::parse("00000001").unwrap(), Some(InstanceObject::new(json!({}))), AWS);
    assert_eq!(state.instance_count(), 1);
    assert!(state.remove_instance(&a).is_some());
    assert!(state.is_empty());
}

#[test]
fn bump_serial_and_fresh_lineage() {
    let mut a = State::new();
    let b = State::new();
    assert_ne!(a.lineage, b.lineage);
    assert_eq!(a.lineage.len(), 36);
    a.bump_serial();
    a.bump_serial();
    assert_eq!(a.serial, 2);
}

#[test]
fn moves() {
    let mut state = read_state(REALISTIC.as_bytes()).unwrap();
    let mv = |state: &mut State, from: &str, to: &str| state.move_target(&from.parse::<Target>().unwrap(), &to.parse::<Target>().unwrap());

    // Instance to a new resource (created with the same provider).
    mv(&mut state, "aws_instance.web[10]", "aws_instance.extra").unwrap();
    assert!(state.instance(&addr("aws_instance.web[10]")).is_none());
    assert_eq!(state.current(&addr("aws_instance.extra")).unwrap().attributes["id"], "i-0ccccccccccccccc10");

    // Onto an existing instance: refused, nothing changes.
    let before = state.clone();
    assert_eq!(
        mv(&mut state, "aws_instance.web[1]", "aws_instance.web[0]").unwrap_err(),
        MoveError::DestinationExists("aws_instance.web[0]".into())
    );
    assert!(matches!(mv(&mut state, "aws_instance.web[1]", "aws_vpc.x[1]"), Err(MoveError::TypeMismatch { .. })));
    assert!(matches!(mv(&mut state, "aws_instance.nope", "aws_instance.x"), Err(MoveError::SourceMissing(_))));
    assert_eq!(state, before);

    // Whole resource, with deposed objects, into a module.
    mv(&mut state, "aws_instance.web", "module.app.aws_instance.web").unwrap();
    let moved = addr("module.app.aws_instance.web[0]");
    assert_eq!(state.instance(&moved).unwrap().deposed.len(), 1);

    // A module and everything below it.
    mv(&mut state, r#"module.network["east"]"#, r#"module.net["east"]"#).unwrap();
    assert_eq!(
        list(&state),
        [
            "data.aws_ami.ubuntu",
            "aws_instance.extra",
            "aws_vpc.main",
            r#"terraform_data.cfg["a"]"#,
            r#"terraform_data.cfg["b c"]"#,
            "module.app.aws_instance.web[0]",
            "module.app.aws_instance.web[1]",
            r#"module.net["east"].aws_subnet.this[0]"#,
            r#"module.net["east"].module.inner.aws_route.r"#,
        ]
    );
    assert!(matches!(mv(&mut state, r#"module.net["east"]"#, r#"module.net["east"].module.x"#), Err(MoveError::IntoItself { .. })));
    assert!(matches!(mv(&mut state, "module.app", "aws_vpc.z"), Err(MoveError::KindMismatch { .. })));

    assert_eq!(state.remove_module(&r#"module.net["east"]"#.parse::<ModuleInstance>().unwrap()), 2);
    assert_eq!(state.instance_count(), 7);
}
