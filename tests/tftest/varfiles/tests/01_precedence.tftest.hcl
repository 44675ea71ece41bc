run "files" {
  command = plan

  assert {
    condition     = output.all == "root auto testdir testdir 2"
    error_message = "got ${output.all}"
  }
}
