package ninep

import (
	"context"
	"crypto/hmac"
	"sync"
	"sync/atomic"

	"9fans.net/go/plan9"
	"9fans.net/go/plan9/srv9p"
)

// RequireAuth returns a copy of srv that admits only attaches
// authenticated with key through an afid (authproto.go): a Tattach
// without an afid, or with one whose exchange has not succeeded, fails
// with "authentication required" or "authentication failed". The
// authenticated client may attach as any uname (a gateway serving many
// users); srv's own Attach still decides what that uname may see.
// srv9p checks that the attach names the uname and aname of the Tauth.
//
// srv9p refuses a Twrite on a fid not opened for writing, auth fids
// included (Plan 9's lib9p exempts them), so a client opens the afid
// ORDWR first; open(5) allows that. An afid is not walked, created,
// removed or changed; a stat describes it.
//
// srv's callbacks never see an afid. srv itself is not changed.
func RequireAuth(srv *srv9p.Server, key []byte) *srv9p.Server {
	a := &authSrv{inner: srv, key: append([]byte(nil), key...)}
	s := *srv
	s.Auth = a.auth
	s.Attach = a.attach
	s.Walk = a.walk
	s.Open = a.open
	s.Create = a.create
	s.Read = a.read
	s.Write = a.write
	s.Stat = a.stat
	s.Wstat = a.wstat
	s.Remove = a.remove
	s.Clunk = a.clunk
	return &s
}

type authSrv struct {
	inner *srv9p.Server
	key   []byte
	path  atomic.Uint64 // for afid qids
}

// An afidState is the aux of an afid: where its exchange stands.
type afidState struct {
	mu     sync.Mutex
	uname  string
	aname  string
	snonce []byte
	proof  string // the server's proof, once the response was right
	used   bool   // a response was written: one try per afid
	ok     bool
}

func afidOf(fid *srv9p.Fid) *afidState {
	st, _ := fid.Aux().(*afidState)
	return st
}

func (a *authSrv) auth(ctx context.Context, afid *srv9p.Fid, uname, aname string) (plan9.Qid, error) {
	snonce, err := newNonce()
	if err != nil {
		return plan9.Qid{}, err
	}
	afid.SetAux(&afidState{uname: uname, aname: aname, snonce: snonce})
	return plan9.Qid{Type: plan9.QTAUTH, Path: 1<<63 | a.path.Add(1)}, nil
}

func (a *authSrv) attach(ctx context.Context, fid, afid *srv9p.Fid, uname, aname string) (plan9.Qid, error) {
	if afid == nil {
		return plan9.Qid{}, errAuthRequired
	}
	st := afidOf(afid)
	if st == nil {
		return plan9.Qid{}, errAuthRequired // a fid that is no afid
	}
	st.mu.Lock()
	ok := st.ok
	st.mu.Unlock()
	if !ok {
		return plan9.Qid{}, errAuthFailed
	}
	if a.inner.Attach == nil {
		return fid.Qid(), nil
	}
	return a.inner.Attach(ctx, fid, nil, uname, aname)
}

func (a *authSrv) walk(ctx context.Context, fid, newfid *srv9p.Fid, names []string) ([]plan9.Qid, error) {
	if afidOf(fid) != nil {
		return nil, errPermission
	}
	if a.inner.Walk == nil {
		return nil, Error("walk prohibited")
	}
	return a.inner.Walk(ctx, fid, newfid, names)
}

func (a *authSrv) open(ctx context.Context, fid *srv9p.Fid, mode uint8) error {
	if afidOf(fid) != nil {
		if mode&^3 != 0 || mode&3 == plan9.OEXEC {
			return errPermission
		}
		return nil
	}
	if a.inner.Open == nil {
		return nil
	}
	return a.inner.Open(ctx, fid, mode)
}

func (a *authSrv) create(ctx context.Context, fid *srv9p.Fid, name string, perm plan9.Perm, mode uint8) (plan9.Qid, error) {
	if afidOf(fid) != nil || a.inner.Create == nil {
		return plan9.Qid{}, Error("create prohibited")
	}
	return a.inner.Create(ctx, fid, name, perm, mode)
}

// read of an afid gives the challenge until a response was right, and
// the server's proof after that.
func (a *authSrv) read(ctx context.Context, fid *srv9p.Fid, data []byte, off int64) (int, error) {
	st := afidOf(fid)
	if st == nil {
		if a.inner.Read == nil {
			return 0, Error("read prohibited")
		}
		return a.inner.Read(ctx, fid, data, off)
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	switch {
	case st.ok:
		return fid.ReadString(data, off, st.proof)
	case st.used:
		return 0, errAuthFailed
	}
	return fid.ReadString(data, off, challengeMsg(st.snonce))
}

// write of an afid takes the client's one response.
func (a *authSrv) write(ctx context.Context, fid *srv9p.Fid, data []byte, off int64) (int, error) {
	st := afidOf(fid)
	if st == nil {
		if a.inner.Write == nil {
			return 0, Error("write prohibited")
		}
		return a.inner.Write(ctx, fid, data, off)
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.used {
		return 0, errAuthFailed
	}
	st.used = true
	cnonce, mac, err := parseResponse(string(data))
	if err != nil || off != 0 {
		return 0, errAuthFailed
	}
	if !hmac.Equal(mac, authMAC(a.key, clientLabel, st.snonce, cnonce, st.uname, st.aname)) {
		return 0, errAuthFailed
	}
	st.ok = true
	st.proof = proofMsg(authMAC(a.key, serverLabel, st.snonce, cnonce, st.uname, st.aname))
	return len(data), nil
}

func (a *authSrv) stat(ctx context.Context, fid *srv9p.Fid) (*plan9.Dir, error) {
	if st := afidOf(fid); st != nil {
		return &plan9.Dir{Qid: fid.Qid(), Mode: plan9.DMAUTH | 0600, Name: "#a", Uid: st.uname, Gid: st.uname, Muid: st.uname}, nil
	}
	switch {
	case a.inner.Stat != nil:
		return a.inner.Stat(ctx, fid)
	case fid.File() != nil:
		d := fid.File().Stat // what srv9p serves without a Stat
		return &d, nil
	}
	return nil, Error("stat prohibited")
}

func (a *authSrv) wstat(ctx context.Context, fid *srv9p.Fid, d *plan9.Dir) error {
	if afidOf(fid) != nil || a.inner.Wstat == nil {
		return Error("wstat prohibited")
	}
	return a.inner.Wstat(ctx, fid, d)
}

func (a *authSrv) remove(ctx context.Context, fid *srv9p.Fid) error {
	if afidOf(fid) != nil {
		return errPermission
	}
	if a.inner.Remove == nil {
		if a.inner.Tree != nil {
			return nil // srv9p removes the tree's file itself
		}
		return Error("remove prohibited")
	}
	return a.inner.Remove(ctx, fid)
}

func (a *authSrv) clunk(fid *srv9p.Fid) {
	if afidOf(fid) != nil || a.inner.Clunk == nil {
		return
	}
	a.inner.Clunk(fid)
}
