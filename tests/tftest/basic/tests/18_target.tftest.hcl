run "targeted" {
  plan_options {
    target = [terraform_data.one]
  }

  assert {
    condition     = output.one_output == "web-2"
    error_message = "targeted resource applied"
  }

  assert {
    condition     = length(terraform_data.many) == 0
    error_message = "untargeted resources are not created"
  }
}
