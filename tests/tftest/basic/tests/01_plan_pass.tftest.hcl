run "defaults" {
  command = plan

  assert {
    condition     = terraform_data.one.input == "web-2"
    error_message = "one.input should be web-2"
  }

  assert {
    condition     = length(terraform_data.many) == 2
    error_message = "two instances expected"
  }

  assert {
    condition     = output.full == "web-2"
    error_message = "full output"
  }
}
