package pop3

// Measured reports how many messages srv has read to learn their size.
func Measured(srv *Server) int64 { return srv.measured.Load() }
