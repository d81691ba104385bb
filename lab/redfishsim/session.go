package redfishsim

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"time"
)

// sessionIdle is how long an unused session lives (iDRAC's default).
const sessionIdle = 30 * time.Minute

type session struct {
	id, token, user string
	lastUsed        time.Time
}

// login creates a session (POST .../Sessions with UserName and Password).
// Past MaxSessions it answers 503, as iDRAC does.
func (s *Sim) login(w http.ResponseWriter, r *http.Request) {
	var req struct {
		UserName string
		Password string
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 4<<10)).Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, "Base.1.8.MalformedJSON", "The request body submitted was malformed JSON.")
		return
	}
	if !s.credentialsOK(req.UserName, req.Password) {
		writeUnauthorized(w)
		return
	}
	now := s.opts.Now()
	s.mu.Lock()
	for tok, ss := range s.sessions {
		if now.Sub(ss.lastUsed) > sessionIdle {
			delete(s.sessions, tok)
		}
	}
	if len(s.sessions) >= s.opts.MaxSessions {
		s.mu.Unlock()
		writeError(w, http.StatusServiceUnavailable, "Base.1.8.SessionLimitExceeded", "The session establishment failed due to the number of simultaneous sessions exceeding the limit of the implementation.")
		return
	}
	s.seq++
	ss := &session{id: fmt.Sprintf("S%06d", s.seq), token: newToken(), user: req.UserName, lastUsed: now}
	s.sessions[ss.token] = ss
	s.mu.Unlock()
	s.logins.Add(1)

	loc := sessionsPath + "/" + ss.id
	w.Header().Set("X-Auth-Token", ss.token)
	w.Header().Set("Location", loc)
	writeJSON(w, r, http.StatusCreated, sessionDoc(ss), "")
}

func newToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func sessionDoc(ss *session) map[string]any {
	return map[string]any{
		"@odata.id":   sessionsPath + "/" + ss.id,
		"@odata.type": "#Session.v1_7_0.Session",
		"Id":          ss.id,
		"Name":        "User Session",
		"UserName":    ss.user,
	}
}

// authorized checks X-Auth-Token, then basic credentials.
func (s *Sim) authorized(r *http.Request) bool {
	if tok := r.Header.Get("X-Auth-Token"); tok != "" {
		s.mu.Lock()
		defer s.mu.Unlock()
		ss := s.sessions[tok]
		if ss == nil {
			return false
		}
		ss.lastUsed = s.opts.Now()
		return true
	}
	user, pass, ok := r.BasicAuth()
	return ok && s.credentialsOK(user, pass)
}

// credentialsOK compares in constant time. A mockup without configured
// credentials accepts any non-empty pair.
func (s *Sim) credentialsOK(user, pass string) bool {
	if s.opts.Username == "" {
		return user != "" && pass != ""
	}
	u := subtle.ConstantTimeCompare([]byte(user), []byte(s.opts.Username))
	p := subtle.ConstantTimeCompare([]byte(pass), []byte(s.opts.Password))
	return u&p == 1
}

// serveSessions answers the live sessions collection and its members.
func (s *Sim) serveSessions(w http.ResponseWriter, r *http.Request, path string) {
	id := strings.TrimPrefix(strings.TrimPrefix(path, sessionsPath), "/")
	s.mu.Lock()
	var found *session
	var all []*session
	for _, ss := range s.sessions {
		all = append(all, ss)
		if ss.id == id {
			found = ss
		}
	}
	if r.Method == http.MethodDelete && found != nil {
		delete(s.sessions, found.token)
	}
	s.mu.Unlock()

	switch {
	case id == "" && r.Method == http.MethodGet:
		sort.Slice(all, func(i, j int) bool { return all[i].id < all[j].id })
		members := make([]any, 0, len(all))
		for _, ss := range all {
			members = append(members, map[string]any{"@odata.id": sessionsPath + "/" + ss.id})
		}
		writeJSON(w, r, http.StatusOK, map[string]any{
			"@odata.id":           sessionsPath,
			"@odata.type":         "#SessionCollection.SessionCollection",
			"Name":                "Session Collection",
			"Members":             members,
			"Members@odata.count": len(members),
		}, "")
	case found == nil:
		writeError(w, http.StatusNotFound, "Base.1.8.ResourceMissingAtURI", fmt.Sprintf("The resource at the URI %s was not found.", path))
	case r.Method == http.MethodDelete:
		s.logouts.Add(1)
		w.WriteHeader(http.StatusNoContent)
	case r.Method == http.MethodGet:
		writeJSON(w, r, http.StatusOK, sessionDoc(found), "")
	default:
		w.Header().Set("Allow", "GET, DELETE")
		writeError(w, http.StatusMethodNotAllowed, "Base.1.8.OperationNotAllowed", "Sessions are read or deleted.")
	}
}
