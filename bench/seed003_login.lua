-- wrk script: seed 003 login with one fixed user (register it first; see bench/README.md).
wrk.method = "POST"
wrk.path = "/api/auth/login"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"email":"bench@example.com","password":"bench-password-1"}'
