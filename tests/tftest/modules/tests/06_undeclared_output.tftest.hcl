run "bad_output" {
  command = plan

  assert {
    condition     = output.nosuch == "x"
    error_message = "no such output"
  }
}
