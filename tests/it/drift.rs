//! `plinth drift`: exit 0 when the real objects match state, 1 on errors.
//! (The built-in provider never drifts; the drift report itself is covered
//! by the renderer's snapshot tests.)

use crate::support::Dir;

#[test]
fn no_drift_exits_zero_and_errors_exit_one() {
    let d = Dir::with(&[("main.tf", "resource \"terraform_data\" \"x\" {\n  input = 1\n}\n")]);
    d.run(&["apply", "-auto-approve"]).ok();
    let r = d.run(&["drift"]).ok();
    assert!(r.stdout.contains("No changes. Your infrastructure still matches the configuration."), "{}", r.stdout);
    let j = d.run(&["drift", "-json"]).ok();
    assert!(j.stdout.contains("\"type\":\"drift_summary\""), "{}", j.stdout);
    assert!(j.stdout.contains("\"changed\":0"), "{}", j.stdout);
    d.write("main.tf", "resource \"terraform_data\" \"x\" {\n  input = local.nope\n}\n");
    assert_eq!(d.run(&["drift"]).code, 1);
}
