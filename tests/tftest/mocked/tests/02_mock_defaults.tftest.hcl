mock_provider "terraform" {
  mock_resource "terraform_data" {
    defaults = {
      id = "fixed-id"
    }
  }
}

run "defaults" {
  assert {
    condition     = output.a_id == "fixed-id"
    error_message = "defaults fill computed attributes"
  }

  assert {
    condition     = output.b_input == "fixed-id"
    error_message = "and flow to references"
  }
}

run "plan_unknown" {
  command = plan

  variables {
    input = "other"
  }

  assert {
    condition     = output.a_id == "fixed-id"
    error_message = "an update keeps the id"
  }
}
