package ninep

// Namespace returns /srv, where Plan 9 services are posted. Services there
// are file descriptors to mount, not sockets: on Plan 9 the front ends
// mount upasfs in the name space and use Local("/mail/fs").
func Namespace() string { return "/srv" }
