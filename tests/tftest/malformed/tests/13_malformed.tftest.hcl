run "broken" {
  command = plan
  assert {
    condition = 
  }
}
