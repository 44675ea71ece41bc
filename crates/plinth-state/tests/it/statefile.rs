use plinth_state::statefile::{read_state, to_bytes, StateFileError};
use plinth_state::{AbsResourceInstance, ObjectStatus, PathStep, Target};
use serde_json::json;

use crate::REALISTIC;

#[test]
fn realistic_file_round_trips_byte_for_byte() {
    let state = read_state(REALISTIC.as_bytes()).unwrap();
    let out = String::from_utf8(to_bytes(&state)).unwrap();
    if out != REALISTIC {
        for (i, (a, b)) in REALISTIC.lines().zip(out.lines()).enumerate() {
            assert_eq!(a, b, "first difference at line {}", i + 1);
        }
        assert_eq!(REALISTIC.lines().count(), out.lines().count());
        panic!("outputs differ only in line endings");
    }
    // Reading what we wrote gives the same model.
    assert_eq!(read_state(out.as_bytes()).unwrap(), state);
}

#[test]
fn realistic_file_model_contents() {
    let state = read_state(REALISTIC.as_bytes()).unwrap();
    assert_eq!(state.serial, 42);
    assert_eq!(state.lineage, "3f5c5a7e-9d3b-4c61-8f3a-0c5e2f1d9b7a");
    assert_eq!(state.terraform_version, "1.15.0");
    assert_eq!(state.check_results, None);

    let pw = &state.outputs["db_password"];
    assert!(pw.sensitive);
    assert_eq!(pw.value, json!("s3cr3t<&>"));
    assert_eq!(state.outputs["subnet_ids"].ty, json!(["list", "string"]));
    assert_eq!(state.outputs["big_number"].value.to_string(), "123456789012345678901234567890.12345678901234567890");

    let web0: AbsResourceInstance = "aws_instance.web[0]".parse().unwrap();
    let inst = state.instance(&web0).unwrap();
    let cur = inst.current.as_ref().unwrap();
    assert_eq!(cur.schema_version, 1);
    assert!(cur.create_before_destroy);
    assert_eq!(cur.private.as_deref(), Some("eyJzY2hlbWFfdmVyc2lvbiI6IjEifQ=="));
    assert_eq!(cur.dependencies, ["aws_vpc.main", "data.aws_ami.ubuntu"]);
    assert_eq!(
        cur.sensitive_attributes,
        vec![vec![
            PathStep::GetAttr("root_block_device".into()),
            PathStep::Index { key: json!(0), ty: json!("number") },
            PathStep::GetAttr("volume_size".into()),
        ]]
    );
    assert_eq!(inst.deposed.len(), 1);
    assert_eq!(inst.deposed.keys().next().unwrap().as_str(), "5e7a1b2c");

    let web1: AbsResourceInstance = "aws_instance.web[1]".parse().unwrap();
    assert_eq!(state.current(&web1).unwrap().status, ObjectStatus::Tainted);

    let route: AbsResourceInstance = r#"module.network["east"].module.inner.aws_route.r"#.parse().unwrap();
    assert_eq!(state.resource(&route.resource).unwrap().provider, r#"module.network.provider["registry.terraform.io/hashicorp/aws"].west"#);
    assert_eq!(state.instance_count(), 9);
}

#[test]
fn writer_sorts_like_terraform() {
    // Build a state out of order; the file must list modules by their string
    // form, data before managed, and instances none/int/string, current
    // before deposed.
    let mut state = plinth_state::State::new();
    state.lineage = "l".into();
    let p = r#"provider["registry.terraform.io/hashicorp/null"]"#;
    for addr in [
        r#"module.b.null_resource.x"#,
        r#"module.a["z"].null_resource.x"#,
        r#"module.a.null_resource.x"#,
        r#"null_resource.y["b"]"#,
        r#"null_resource.y["a"]"#,
        r#"null_resource.x[10]"#,
        r#"null_resource.x[9]"#,
        r#"data.null_data_source.d"#,
    ] {
        let a: AbsResourceInstance = addr.parse().unwrap();
        state.set_current(&a, Some(plinth_state::InstanceObject::new(json!({"id": addr}))), p);
    }
    let file: serde_json::Value = serde_json::from_slice(&to_bytes(&state)).unwrap();
    let order: Vec<String> = file["resources"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["instances"].as_array().unwrap().iter().map(|i| i["attributes"]["id"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(
        order,
        [
            "data.null_data_source.d",
            "null_resource.x[9]",
            "null_resource.x[10]",
            r#"null_resource.y["a"]"#,
            r#"null_resource.y["b"]"#,
            "module.a.null_resource.x",
            r#"module.a["z"].null_resource.x"#,
            "module.b.null_resource.x",
        ]
    );
}

#[test]
fn empty_state_format() {
    let mut state = plinth_state::State::new();
    state.lineage = "abc".into();
    state.serial = 1;
    state.terraform_version = "1.15.0".into();
    let out = String::from_utf8(to_bytes(&state)).unwrap();
    assert_eq!(
        out,
        "{\n  \"version\": 4,\n  \"terraform_version\": \"1.15.0\",\n  \"serial\": 1,\n  \"lineage\": \"abc\",\n  \"outputs\": {},\n  \"resources\": [],\n  \"check_results\": null\n}\n"
    );
}

#[test]
fn check_results_are_kept() {
    let src = REALISTIC.replace(
        "\"check_results\": null",
        "\"check_results\": [\n    {\n      \"object_kind\": \"resource\",\n      \"config_addr\": \"aws_vpc.main\",\n      \"status\": \"pass\",\n      \"objects\": [\n        {\n          \"object_addr\": \"aws_vpc.main\",\n          \"status\": \"pass\"\n        }\n      ]\n    }\n  ]",
    );
    let state = read_state(src.as_bytes()).unwrap();
    assert!(state.check_results.is_some());
    assert_eq!(String::from_utf8(to_bytes(&state)).unwrap(), src);
}

#[test]
fn rejects_newer_format_version() {
    let src = REALISTIC.replacen("\"version\": 4", "\"version\": 5", 1).replacen("1.15.0", "2.0.0", 1);
    let err = read_state(src.as_bytes()).unwrap_err();
    assert_eq!(err, StateFileError::NewerVersion { version: 5, created_by: Some("2.0.0".into()) });
    assert_eq!(
        err.to_string(),
        "Unsupported state file format: The state file uses format version 5, which is not supported by Terraform 1.15.0. This state file was created by Terraform 2.0.0."
    );
    // A v5 file whose other fields have an unknown shape still gets the version error.
    let err = read_state(br#"{"version": 5, "resources": {"new": "shape"}}"#).unwrap_err();
    assert!(err.to_string().contains("may have been created by a newer version of Terraform"), "{err}");
}

#[test]
fn rejects_bad_versions() {
    assert_eq!(read_state(b"{}").unwrap_err(), StateFileError::MissingVersion);
    assert_eq!(read_state(b"[1, 2]").unwrap_err(), StateFileError::MissingVersion);
    assert_eq!(read_state(br#"{"version": 0}"#).unwrap_err(), StateFileError::VersionZero);
    assert_eq!(read_state(br#"{"version": 3}"#).unwrap_err(), StateFileError::LegacyVersion(3));
    assert_eq!(read_state(br#"{"version": -1}"#).unwrap_err(), StateFileError::InvalidVersion("-1".into()));
    assert_eq!(read_state(br#"{"version": "4"}"#).unwrap_err(), StateFileError::InvalidVersion("\"4\"".into()));
    assert_eq!(read_state(b"").unwrap_err(), StateFileError::Empty);
}

#[test]
fn corrupt_json_reports_line_and_column() {
    let src = REALISTIC.replacen("\"serial\": 42,", "\"serial\": 42,,", 1);
    match read_state(src.as_bytes()).unwrap_err() {
        StateFileError::Syntax { line, column, .. } => assert_eq!((line, column), (4, 16)),
        other => panic!("expected a syntax error, got {other:?}"),
    }
}

#[test]
fn missing_and_mistyped_fields() {
    let err = read_state(br#"{"version": 4, "lineage": "x"}"#).unwrap_err();
    assert!(matches!(&err, StateFileError::Shape { message, .. } if message.contains("missing field `serial`")), "{err:?}");
    let err = read_state(br#"{"version": 4, "serial": "1", "lineage": "x"}"#).unwrap_err();
    assert!(matches!(err, StateFileError::Shape { line: 1, .. }), "{err:?}");
    let src = REALISTIC.replacen("\"provider\": \"provider[\\\"terraform.io/builtin/terraform\\\"]\",", "", 1);
    let err = read_state(src.as_bytes()).unwrap_err();
    assert!(err.to_string().contains("missing field `provider`"), "{err}");
}

#[test]
fn invalid_contents() {
    let bad_mode = REALISTIC.replacen("\"mode\": \"data\"", "\"mode\": \"ephemeral\"", 1);
    let err = read_state(bad_mode.as_bytes()).unwrap_err();
    assert!(err.to_string().starts_with("Invalid resource mode in state"), "{err}");

    let bad_status = REALISTIC.replacen("\"status\": \"tainted\"", "\"status\": \"broken\"", 1);
    let err = read_state(bad_status.as_bytes()).unwrap_err();
    assert_eq!(err.to_string(), "Invalid resource instance metadata in state: Instance aws_instance.web[1] has invalid status \"broken\".");

    let dup = REALISTIC.replacen("\"index_key\": 10,", "\"index_key\": 1,", 1);
    let err = read_state(dup.as_bytes()).unwrap_err();
    assert!(err.to_string().contains("aws_instance.web[1] appears multiple times"), "{err}");

    let bad_deposed = REALISTIC.replacen("\"deposed\": \"5e7a1b2c\"", "\"deposed\": \"5e7\"", 1);
    assert!(read_state(bad_deposed.as_bytes()).is_err());

    let bad_module = REALISTIC.replacen("\"module\": \"module.network[\\\"east\\\"]\"", "\"module\": \"network\"", 1);
    let err = read_state(bad_module.as_bytes()).unwrap_err();
    assert!(err.to_string().contains("Invalid module address in state"), "{err}");
}

#[test]
fn truncated_files_are_errors_not_panics() {
    let bytes = REALISTIC.as_bytes();
    let mut n = 0;
    for len in (0..bytes.len()).step_by(64) {
        assert!(read_state(&bytes[..len]).is_err(), "truncated at {len} was accepted");
        n += 1;
    }
    // Dropping just the final newline is still a valid file.
    assert!(read_state(&bytes[..bytes.len() - 1]).is_ok());
    assert!(n > 50);
}

#[test]
fn every_byte_flip_is_handled() {
    // Corrupt each structural character in turn: errors are fine, panics aren't.
    let bytes = REALISTIC.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        if matches!(b, b'{' | b'}' | b'[' | b']' | b':' | b',' | b'"') {
            let mut copy = bytes.to_vec();
            copy[i] = b'x';
            let _ = read_state(&copy);
        }
    }
}

#[test]
fn go_html_escaping_in_keys_and_values() {
    let mut state = plinth_state::State::new();
    state.lineage = "l".into();
    state.outputs.insert(
        "a<b>&\u{2028}".into(),
        plinth_state::OutputState { value: json!("x\u{2029}\n\"\\\u{7}é"), ty: json!("string"), sensitive: false },
    );
    let out = String::from_utf8(to_bytes(&state)).unwrap();
    assert!(out.contains(r#""a\u003cb\u003e\u0026\u2028": {"#), "{out}");
    assert!(out.contains(r#""value": "x\u2029\n\"\\\u0007é","#), "{out}");
    assert_eq!(read_state(out.as_bytes()).unwrap().outputs, state.outputs);
}

#[test]
fn large_state_serializes_quickly() {
    let mut state = plinth_state::State::new();
    let p = r#"provider["registry.terraform.io/hashicorp/null"]"#;
    for i in 0..10_000 {
        let a: AbsResourceInstance = format!("module.m[{}].null_resource.r[{}]", i % 50, i).parse().unwrap();
        state.set_current(&a, Some(plinth_state::InstanceObject::new(json!({"id": i.to_string(), "n": i}))), p);
    }
    let start = std::time::Instant::now();
    let bytes = to_bytes(&state);
    let elapsed = start.elapsed();
    assert_eq!(read_state(&bytes).unwrap(), state);
    // Generous bound for unoptimized builds on a shared machine.
    assert!(elapsed.as_secs_f64() < 2.0, "serializing 10k instances took {elapsed:?}");
    let _ = Target::Module(Default::default());
}

#[test]
fn reads_fields_terraform_no_longer_writes() {
    // Older Terraform wrote "each"; unknown fields are ignored for forward
    // compatibility; missing optional fields take their defaults.
    let src = br#"{"version": 4, "serial": 3, "lineage": "l", "future_field": {"x": 1},
        "resources": [{"mode": "managed", "type": "null_resource", "name": "a", "each": "list",
        "provider": "provider[\"registry.terraform.io/hashicorp/null\"]",
        "instances": [{"index_key": 0, "attributes": {"id": "1"}, "private": null}, {"index_key": 1}]}]}"#;
    let state = read_state(src).unwrap();
    assert_eq!(state.terraform_version, "");
    let a1: AbsResourceInstance = "null_resource.a[1]".parse().unwrap();
    assert_eq!(state.current(&a1).unwrap().attributes, json!({}));
    let a0: AbsResourceInstance = "null_resource.a[0]".parse().unwrap();
    assert_eq!(state.current(&a0).unwrap().private, None);
    let out = String::from_utf8(to_bytes(&state)).unwrap();
    assert!(!out.contains("\"each\""));
    assert!(!out.contains("future_field"));
}
