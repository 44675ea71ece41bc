mock_provider "terraform" {
  override_during = plan

  mock_resource "terraform_data" {
    defaults = {
      id = "at-plan"
    }
  }
}

run "plan_sees_defaults" {
  command = plan

  assert {
    condition     = terraform_data.a.id == "at-plan"
    error_message = "override_during = plan sets values when planning"
  }
}
