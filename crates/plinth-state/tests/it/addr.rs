use plinth_state::{AbsResource, AbsResourceInstance, InstanceKey, ModuleInstance, ResourceMode, Target};

#[test]
fn parse_display_round_trips() {
    for s in [
        "aws_vpc.main",
        "aws_vpc.main[0]",
        "data.aws_ami.x",
        "data.aws_ami.x[3]",
        r#"terraform_data.x["key"]"#,
        r#"module.a["k"].aws_vpc.main[0]"#,
        "module.a.module.b[2].data.aws_ami.x",
        "module.a",
        r#"module.a["x"].module.b"#,
        r#"null_resource.r["with \"quotes\" and \\ and \n newline"]"#,
        r#"null_resource.r["$${literal} %%{x} $ %"]"#,
        r#"null_resource.r["é ü 😀"]"#,
        r#"null_resource.r[""]"#,
        "my-type_1.name-2",
    ] {
        let t: Target = s.parse().unwrap_or_else(|e| panic!("{s}: {e}"));
        assert_eq!(t.to_string(), s);
    }
}

#[test]
fn parse_kinds_and_keys() {
    let t: Target = r#"module.a["k"].aws_vpc.main[0]"#.parse().unwrap();
    let Target::Instance(i) = t else { panic!("{t:?}") };
    assert_eq!(i.key, InstanceKey::Int(0));
    assert_eq!(i.resource.resource.mode, ResourceMode::Managed);
    assert_eq!(i.resource.resource.type_name, "aws_vpc");
    assert_eq!(i.resource.module, ModuleInstance::root().child("a", InstanceKey::Str("k".into())));

    let r: AbsResource = "data.aws_ami.x".parse().unwrap();
    assert_eq!(r.resource.mode, ResourceMode::Data);
    // An unkeyed resource address names its single instance.
    let i: AbsResourceInstance = "aws_vpc.main".parse().unwrap();
    assert_eq!(i.key, InstanceKey::None);

    let s: AbsResourceInstance = r#"x.y["a\u00e9\U0001F600\t"]"#.parse().unwrap();
    assert_eq!(s.key, InstanceKey::Str("aé😀\t".into()));
    assert_eq!(s.to_string(), "x.y[\"aé😀\\t\"]");
    assert_eq!("".parse::<ModuleInstance>().unwrap(), ModuleInstance::root());
}

#[test]
fn parse_errors() {
    for bad in [
        "",
        "aws_vpc",
        "aws_vpc.",
        "aws_vpc.main.extra",
        "aws_vpc.main[",
        "aws_vpc.main[0",
        "aws_vpc.main[x]",
        "aws_vpc.main[-1]",
        "aws_vpc.main[\"unterminated]",
        "aws_vpc.main[0][1]",
        "module.",
        "module.a.",
        "module.a[0]x",
        "data.x",
        "1abc.def",
        "aws_vpc.main[99999999999999999999]",
        r#"x.y["\q"]"#,
    ] {
        assert!(bad.parse::<Target>().is_err(), "{bad:?} parsed");
    }
    let err = "aws_vpc".parse::<Target>().unwrap_err();
    assert_eq!(err.to_string(), r#"invalid address "aws_vpc": expected "." after the resource type at end of address"#);
    assert!("module.a".parse::<AbsResource>().is_err());
    assert!("aws_vpc.main[0]".parse::<AbsResource>().is_err());
    assert!("module.a".parse::<AbsResourceInstance>().is_err());
}

#[test]
fn sort_order_matches_terraform_state_list() {
    let mut addrs: Vec<AbsResourceInstance> = [
        r#"module.b.aws_vpc.a"#,
        r#"module.a["x"].aws_vpc.a"#,
        r#"module.a[1].aws_vpc.a"#,
        r#"module.a.aws_vpc.a"#,
        r#"module.a[0].module.c.aws_vpc.a"#,
        r#"aws_vpc.b"#,
        r#"aws_vpc.a["b"]"#,
        r#"aws_vpc.a["a"]"#,
        r#"aws_vpc.a[10]"#,
        r#"aws_vpc.a[2]"#,
        r#"aws_subnet.z"#,
        r#"data.zz_last.a"#,
    ]
    .iter()
    .map(|s| s.parse().unwrap())
    .collect();
    addrs.sort();
    let got: Vec<String> = addrs.iter().map(ToString::to_string).collect();
    assert_eq!(
        got,
        [
            "data.zz_last.a",
            "aws_subnet.z",
            "aws_vpc.a[2]",
            "aws_vpc.a[10]",
            r#"aws_vpc.a["a"]"#,
            r#"aws_vpc.a["b"]"#,
            "aws_vpc.b",
            // Shorter module paths first; then by name, then key.
            "module.a.aws_vpc.a",
            "module.a[1].aws_vpc.a",
            r#"module.a["x"].aws_vpc.a"#,
            "module.b.aws_vpc.a",
            "module.a[0].module.c.aws_vpc.a",
        ]
    );
}
