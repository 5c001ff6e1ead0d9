package mbox

// setlkOFD is F_OFD_SETLK: an fcntl lock owned by the open file
// description, not the process (Linux 3.15).
const setlkOFD = 37
