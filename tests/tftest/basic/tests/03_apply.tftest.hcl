run "create" {
  assert {
    condition     = output.one_output == "web-2"
    error_message = "output after apply"
  }

  assert {
    condition     = length(output.one_id) == 36
    error_message = "terraform_data ids are UUIDs"
  }

  assert {
    condition     = output.many_inputs == ["web-0", "web-1"]
    error_message = "many inputs"
  }
}
