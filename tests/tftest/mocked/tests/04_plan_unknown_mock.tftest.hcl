mock_provider "terraform" {
  mock_resource "terraform_data" {
    defaults = {
      id = "later"
    }
  }
}

run "plan_unknown" {
  command = plan

  assert {
    condition     = terraform_data.a.id == "later"
    error_message = "unknown during plan"
  }
}
