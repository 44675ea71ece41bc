run "apply" {}

run "plan_knows_ids" {
  command = plan

  assert {
    condition     = output.one_id == run.apply.one_id
    error_message = "state carries over between runs of the same module"
  }
}
