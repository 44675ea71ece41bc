override_resource {
  target          = terraform_data.a
  override_during = plan
  values = {
    id = "plan-time"
  }
}

run "known_at_plan" {
  command = plan

  assert {
    condition     = terraform_data.a.id == "plan-time"
    error_message = "override_during plan"
  }

  assert {
    condition     = terraform_data.b.input == "plan-time"
    error_message = "dependents see it too"
  }
}
