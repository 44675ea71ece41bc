run "check_warns" {
  variables {
    size = 4
  }

  assert {
    condition     = terraform_data.sized.output == 4
    error_message = "a failed check is only a warning"
  }
}
