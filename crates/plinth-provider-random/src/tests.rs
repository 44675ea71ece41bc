use std::collections::BTreeMap;

use plinth_provider::{ApplyRequest, PathStep, PlanRequest, Provider};
use plinth_value::{Type, Value};
use rand::SeedableRng;

use crate::{generate_string, RandomProvider, StringSpec};

/// A configuration of `type_name` with `set` and every other attribute null.
fn config(p: &RandomProvider, type_name: &str, set: &[(&str, Value)]) -> Value {
    let block = &p.schema().resources[type_name].block;
    let mut m: BTreeMap<String, Value> = block.attributes.iter().map(|(k, a)| (k.clone(), Value::null(a.ty.clone()))).collect();
    for (k, v) in set {
        m.insert((*k).into(), v.clone());
    }
    Value::object(m)
}

fn get<'a>(v: &'a Value, k: &str) -> &'a Value {
    &v.as_entries().expect("object")[k]
}

fn keepers(v: &str) -> Value {
    Value::map(Type::String, BTreeMap::from([("k".to_string(), Value::string(v))]))
}

/// Plans and applies a create, as the engine would.
fn create(p: &RandomProvider, type_name: &str, cfg: &Value) -> Value {
    let plan = p.plan_resource(PlanRequest { type_name, prior: None, proposed: cfg, config: cfg }).expect("plan");
    assert!(plan.requires_replace.is_empty());
    let rt = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
    rt.block_on(p.apply_resource(ApplyRequest {
        type_name,
        prior: None,
        planned: Some(&plan.planned),
        config: Some(cfg),
        operation_token: "t",
    }))
    .expect("apply")
}

#[test]
fn strings_honour_classes_and_minimums() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let spec = StringSpec {
        length: 40,
        upper: false,
        lower: true,
        numeric: true,
        special: false,
        min_numeric: 10,
        min_special: 3,
        ..Default::default()
    };
    for _ in 0..20 {
        let s = generate_string(&spec, &mut rng).expect("generate");
        assert_eq!(s.chars().count(), 40);
        assert!(s.chars().filter(char::is_ascii_digit).count() >= 10, "{s}");
        // Minimums apply even to a class that is off, as in Terraform.
        assert_eq!(s.chars().filter(|c| "!@#$%&*()-_=+[]{}<>:?".contains(*c)).count(), 3, "{s}");
        assert!(!s.chars().any(|c| c.is_ascii_uppercase()), "{s}");
    }
    let only_override = StringSpec { length: 12, special: true, override_special: Some("_%".into()), ..Default::default() };
    let s = generate_string(&only_override, &mut rng).expect("generate");
    assert!(s.chars().all(|c| c == '_' || c == '%'), "{s}");
    let nothing = StringSpec { length: 3, ..Default::default() };
    assert!(generate_string(&nothing, &mut rng).is_err());
}

#[test]
fn password_is_sensitive_hashed_and_stable() {
    let p = RandomProvider::new();
    let block = &p.schema().resources["random_password"].block;
    assert!(block.attributes["result"].sensitive && block.attributes["bcrypt_hash"].sensitive);
    assert!(!p.schema().resources["random_string"].block.attributes["result"].sensitive);

    let cfg = config(&p, "random_password", &[("length", Value::int(24)), ("keepers", keepers("a"))]);
    let plan = p.plan_resource(PlanRequest { type_name: "random_password", prior: None, proposed: &cfg, config: &cfg }).expect("plan");
    assert!(get(&plan.planned, "result").is_unknown());
    assert_eq!(get(&plan.planned, "special").as_bool(), Some(true), "defaults are planned");
    let state = create(&p, "random_password", &cfg);
    let result = get(&state, "result").as_str().expect("result").to_string();
    assert_eq!(result.chars().count(), 24);
    assert_eq!(get(&state, "id").as_str(), Some("none"));
    assert!(bcrypt::verify(&result, get(&state, "bcrypt_hash").as_str().expect("hash")).expect("verify"));

    // The same configuration plans no change; new keepers replace.
    let again =
        p.plan_resource(PlanRequest { type_name: "random_password", prior: Some(&state), proposed: &cfg, config: &cfg }).expect("plan");
    assert!(again.planned.raw_equal(&state));
    assert!(again.requires_replace.is_empty());
    let cfg2 = config(&p, "random_password", &[("length", Value::int(24)), ("keepers", keepers("b"))]);
    let replace =
        p.plan_resource(PlanRequest { type_name: "random_password", prior: Some(&state), proposed: &cfg2, config: &cfg2 }).expect("plan");
    assert_eq!(replace.requires_replace, vec![vec![PathStep::Attr("keepers".into())]]);
    assert!(get(&replace.planned, "result").is_unknown());
}

#[test]
fn id_encodings_agree() {
    let p = RandomProvider::new();
    let cfg = config(&p, "random_id", &[("byte_length", Value::int(8)), ("prefix", Value::string("p-"))]);
    let state = create(&p, "random_id", &cfg);
    let hex = get(&state, "hex").as_str().expect("hex");
    assert_eq!(hex.len(), 2 + 16);
    let bytes: Vec<u8> = (2..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex")).collect();
    let dec = num_bigint::BigUint::from_bytes_be(&bytes).to_string();
    assert_eq!(get(&state, "dec").as_str(), Some(format!("p-{dec}").as_str()));
    let id = get(&state, "id").as_str().expect("id");
    assert!(!id.starts_with("p-"), "id carries no prefix");
    assert_eq!(get(&state, "b64_url").as_str(), Some(format!("p-{id}").as_str()));
}

#[test]
fn integers_and_shuffles() {
    let p = RandomProvider::new();
    for _ in 0..10 {
        let state = create(&p, "random_integer", &config(&p, "random_integer", &[("min", Value::int(3)), ("max", Value::int(5))]));
        let n = get(&state, "result").as_number().and_then(|n| n.to_i64()).expect("int");
        assert!((3..=5).contains(&n));
        assert_eq!(get(&state, "id").as_str(), Some(n.to_string().as_str()));
    }
    let seeded = config(&p, "random_integer", &[("min", Value::int(0)), ("max", Value::int(1_000_000)), ("seed", Value::string("s"))]);
    assert!(get(&create(&p, "random_integer", &seeded), "result").raw_equal(get(&create(&p, "random_integer", &seeded), "result")));

    let input = Value::list(Type::String, ["a", "b", "c"].into_iter().map(Value::string).collect());
    let state = create(&p, "random_shuffle", &config(&p, "random_shuffle", &[("input", input.clone()), ("result_count", Value::int(5))]));
    let result: Vec<&str> = get(&state, "result").as_seq().expect("list").iter().filter_map(Value::as_str).collect();
    assert_eq!(result.len(), 5);
    let mut first3 = result[..3].to_vec();
    first3.sort();
    assert_eq!(first3, ["a", "b", "c"]);
}

#[test]
fn validation() {
    let p = RandomProvider::new();
    let short = config(&p, "random_string", &[("length", Value::int(3)), ("min_upper", Value::int(2)), ("min_numeric", Value::int(2))]);
    assert_eq!(p.validate_resource("random_string", &short).len(), 1);
    let backwards = config(&p, "random_integer", &[("min", Value::int(3)), ("max", Value::int(1))]);
    assert_eq!(p.validate_resource("random_integer", &backwards).len(), 1);
    let ok = config(&p, "random_id", &[("byte_length", Value::int(4))]);
    assert!(p.validate_resource("random_id", &ok).is_empty());
}

#[test]
fn import_password_and_id() {
    let p = RandomProvider::new();
    let rt = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
    let pw = rt.block_on(p.import_resource("random_password", "hunter22")).expect("import");
    assert_eq!(get(&pw, "length").as_number().and_then(|n| n.to_i64()), Some(8));
    assert_eq!(get(&pw, "result").as_str(), Some("hunter22"));
    let id = rt.block_on(p.import_resource("random_id", "AAEC")).expect("import");
    assert_eq!(get(&id, "hex").as_str(), Some("000102"));
    assert_eq!(get(&id, "dec").as_str(), Some("258"));
}
