run "wrong_input" {
  command = plan

  assert {
    condition     = terraform_data.one.input == "nope"
    error_message = "input is ${terraform_data.one.input}"
  }
}

run "still_runs" {
  command = plan

  assert {
    condition     = local.full == "web-2"
    error_message = "local"
  }
}
