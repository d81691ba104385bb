package snmpsim

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/des" //nolint:gosec // SNMPv3 DES privacy (RFC 3414) is what the agents speak
	"crypto/hmac"
	"crypto/md5" //nolint:gosec // HMAC-MD5-96 (RFC 3414)
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"hash/fnv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gosnmp/gosnmp"
)

// User is an SNMPv3 USM user. Auth is MD5, SHA, SHA224, SHA256, SHA384 or
// SHA512 (or "" for noAuthNoPriv); Priv is DES, AES, AES192, AES256,
// AES192C or AES256C (or "" for no privacy).
type User struct {
	Name     string
	Auth     string
	AuthPass string
	Priv     string
	PrivPass string
}

// usmUser is a user with its keys localized to the agent's engine.
type usmUser struct {
	User
	hash    func() hash.Hash
	macLen  int
	authKey []byte
	privKey []byte
}

// usmEngine is the agent's USM: its engine id, boots and time, and users.
type usmEngine struct {
	engineID []byte
	users    map[string]*usmUser
	// clock is snmpEngineBoots and when the engine (re)started, swapped
	// whole by a reboot.
	clock    atomic.Pointer[engineClock]
	salt     atomic.Uint64
	unknown  atomic.Uint32 // usmStatsUnknownEngineIDs, for reports
	untimely atomic.Uint32 // usmStatsNotInTimeWindows
}

// engineClock is snmpEngineBoots and the start of snmpEngineTime.
type engineClock struct {
	boots   int64
	started time.Time
}

// timeWindow is how far a message's engine time may be from the agent's
// (RFC 3414 section 3.2 step 7).
const timeWindow = 150

// maxEngineBoots is snmpEngineBoots' ceiling: at it, the engine accepts
// no authenticated message until reconfigured.
const maxEngineBoots = 2147483647

// USM statistics reported to a manager (RFC 3414).
var (
	usmStatsUnsupportedSecLevels = mustOID("1.3.6.1.6.3.15.1.1.1.0")
	usmStatsNotInTimeWindows     = mustOID("1.3.6.1.6.3.15.1.1.2.0")
	usmStatsUnknownUserNames     = mustOID("1.3.6.1.6.3.15.1.1.3.0")
	usmStatsUnknownEngineIDs     = mustOID("1.3.6.1.6.3.15.1.1.4.0")
	usmStatsWrongDigests         = mustOID("1.3.6.1.6.3.15.1.1.5.0")
	usmStatsDecryptionErrors     = mustOID("1.3.6.1.6.3.15.1.1.6.0")
)

const (
	flagAuth       = 0x01
	flagPriv       = 0x02
	flagReportable = 0x04
)

// engineIDFor derives a stable engine id from the listening address
// (enterprise 8072, net-snmp's, format 4: text).
func engineIDFor(addr string) []byte {
	h := fnv.New64a()
	h.Write([]byte(addr))
	return binary.BigEndian.AppendUint64([]byte{0x80, 0x00, 0x1f, 0x88, 0x04}, h.Sum64())
}

func newUSM(engineID []byte, users []User) (*usmEngine, error) {
	e := &usmEngine{engineID: engineID, users: map[string]*usmUser{}}
	e.clock.Store(&engineClock{boots: 1, started: time.Now()})
	for _, u := range users {
		uu := &usmUser{User: u}
		sp := &gosnmp.UsmSecurityParameters{AuthoritativeEngineID: string(engineID), UserName: u.Name,
			AuthenticationPassphrase: u.AuthPass, PrivacyPassphrase: u.PrivPass}
		var err error
		if u.Auth != "" {
			if sp.AuthenticationProtocol, uu.hash, uu.macLen, err = authAlg(u.Auth); err != nil {
				return nil, err
			}
		}
		if u.Priv != "" {
			if u.Auth == "" {
				return nil, fmt.Errorf("snmpsim: user %s: privacy needs authentication", u.Name)
			}
			if sp.PrivacyProtocol, err = privAlg(u.Priv); err != nil {
				return nil, err
			}
		}
		if err := sp.InitSecurityKeys(); err != nil {
			return nil, fmt.Errorf("snmpsim: user %s: %w", u.Name, err)
		}
		uu.authKey, uu.privKey = sp.SecretKey, sp.PrivacyKey
		e.users[u.Name] = uu
	}
	return e, nil
}

func authAlg(name string) (gosnmp.SnmpV3AuthProtocol, func() hash.Hash, int, error) {
	switch strings.ToUpper(name) {
	case "MD5":
		return gosnmp.MD5, md5.New, 12, nil
	case "SHA":
		return gosnmp.SHA, sha1.New, 12, nil
	case "SHA224":
		return gosnmp.SHA224, sha256.New224, 16, nil
	case "SHA256":
		return gosnmp.SHA256, sha256.New, 24, nil
	case "SHA384":
		return gosnmp.SHA384, sha512.New384, 32, nil
	case "SHA512":
		return gosnmp.SHA512, sha512.New, 48, nil
	}
	return 0, nil, 0, fmt.Errorf("snmpsim: auth protocol %q not supported", name)
}

func privAlg(name string) (gosnmp.SnmpV3PrivProtocol, error) {
	switch strings.ToUpper(name) {
	case "DES":
		return gosnmp.DES, nil
	case "AES":
		return gosnmp.AES, nil
	case "AES192":
		return gosnmp.AES192, nil
	case "AES256":
		return gosnmp.AES256, nil
	case "AES192C":
		return gosnmp.AES192C, nil
	case "AES256C":
		return gosnmp.AES256C, nil
	}
	return 0, fmt.Errorf("snmpsim: priv protocol %q not supported", name)
}

// now returns snmpEngineBoots and snmpEngineTime.
func (e *usmEngine) now() (boots int64, secs uint32) {
	c := e.clock.Load()
	return c.boots, uint32(time.Since(c.started) / time.Second)
}

// reboot counts a restart: snmpEngineBoots goes up, snmpEngineTime
// starts again from zero, and managers holding the old values get
// notInTimeWindow until they resynchronize.
func (e *usmEngine) reboot() {
	old := e.clock.Load()
	e.clock.Store(&engineClock{boots: min(old.boots+1, maxEngineBoots), started: time.Now()})
}

// timely reports whether an authenticated message's boots and time are
// within the engine's time window.
func (e *usmEngine) timely(boots, secs int64) bool {
	b, now := e.now()
	d := secs - int64(now)
	return b < maxEngineBoots && boots == b && d >= -timeWindow && d <= timeWindow
}

// usmParams is a decoded UsmSecurityParameters, with where the
// authentication parameters sit in the message.
type usmParams struct {
	engineID, user, authParams, privParams []byte
	boots, time                            int64
	authStart, authEnd                     int
}

// handleV3 answers an SNMPv3 message (m is positioned after the version).
func (a *Agent) handleV3(raw []byte, m *berReader) ([]byte, error) {
	e := a.usm
	if e == nil {
		return nil, errors.New("snmpv3 not served")
	}
	msgID, flags, up, err := readV3Header(m)
	if err != nil {
		return nil, err
	}
	report := func(r v3Report) ([]byte, error) {
		vb := appendVarbind(nil, r.oid, Counter(r.n))
		return a.encodeV3(msgID, r.user, r.authed, false, nil, nil, encodePDU(pduReport, 0, 0, 0, vb))
	}
	u, refused := e.admit(raw, up, flags)
	if refused != nil {
		return report(*refused)
	}
	sp, ok, err := scopedPDU(m, u, up)
	if !ok {
		return report(v3Report{usmStatsDecryptionErrors, 1, u, true})
	}
	if err != nil {
		return nil, err
	}
	ctxEngine, err := sp.octets("contextEngineID")
	if err != nil {
		return nil, err
	}
	ctxName, err := sp.octets("contextName")
	if err != nil {
		return nil, err
	}
	q, err := decodePDU(sp)
	if err != nil {
		return nil, err
	}
	q.secret = []byte(u.AuthPass + " " + u.PrivPass)
	pdu := a.respond(q, a.opts.MaxMessageSize-200)
	return a.encodeV3(msgID, u, u.Auth != "", u.Priv != "", bytes.Clone(ctxEngine), bytes.Clone(ctxName), pdu)
}

// readV3Header reads an SNMPv3 message's msgGlobalData (its id and
// flags; only the USM security model is served) and its security
// parameters.
func readV3Header(m *berReader) (msgID int64, flags byte, up *usmParams, err error) {
	gs, ge, err := m.expect(tagSequence, "msgGlobalData")
	if err != nil {
		return 0, 0, nil, err
	}
	g := m.sub(gs, ge)
	if msgID, err = g.integer("msgID"); err != nil {
		return 0, 0, nil, err
	}
	if _, err = g.integer("msgMaxSize"); err != nil {
		return 0, 0, nil, err
	}
	f, err := g.octets("msgFlags")
	if err != nil || len(f) != 1 {
		return 0, 0, nil, fmt.Errorf("msgFlags: %v", err)
	}
	if model, err := g.integer("msgSecurityModel"); err != nil || model != 3 {
		return 0, 0, nil, fmt.Errorf("security model: %v", err)
	}
	ss, se, err := m.expect(TagOctetString, "msgSecurityParameters")
	if err != nil {
		return 0, 0, nil, err
	}
	if up, err = decodeUSM(m.sub(ss, se)); err != nil {
		return 0, 0, nil, err
	}
	return msgID, f[0], up, nil
}

// v3Report is why a message was refused, as a USM Report carries it: the
// usmStats counter and its value, authenticated as the user when the
// message was.
type v3Report struct {
	oid    []uint32
	n      uint32
	user   *usmUser
	authed bool
}

// admit checks a message against the engine's USM (RFC 3414 section
// 3.2): the engine id, the user, the security level the user is set up
// for, and for an authenticated user the digest over raw and the time
// window. It returns the user, or the report that refuses the message.
func (e *usmEngine) admit(raw []byte, up *usmParams, flags byte) (*usmUser, *v3Report) {
	if len(up.engineID) == 0 || !bytes.Equal(up.engineID, e.engineID) {
		return nil, &v3Report{usmStatsUnknownEngineIDs, e.unknown.Add(1), nil, false}
	}
	u := e.users[string(up.user)]
	if u == nil {
		return nil, &v3Report{usmStatsUnknownUserNames, 1, nil, false}
	}
	wantAuth, wantPriv := u.Auth != "", u.Priv != ""
	if flags&flagAuth != 0 != wantAuth || flags&flagPriv != 0 != wantPriv {
		return nil, &v3Report{usmStatsUnsupportedSecLevels, 1, nil, false}
	}
	if !wantAuth {
		return u, nil
	}
	if len(up.authParams) != u.macLen {
		return nil, &v3Report{usmStatsWrongDigests, 1, nil, false}
	}
	msg := bytes.Clone(raw)
	clear(msg[up.authStart:up.authEnd])
	mac := hmac.New(u.hash, u.authKey)
	mac.Write(msg)
	if !hmac.Equal(mac.Sum(nil)[:u.macLen], up.authParams) {
		return nil, &v3Report{usmStatsWrongDigests, 1, nil, false}
	}
	// A replayed or stale message: the report, authenticated, tells the
	// manager the engine's boots and time to resynchronize.
	if !e.timely(up.boots, up.time) {
		return nil, &v3Report{usmStatsNotInTimeWindows, e.untimely.Add(1), u, true}
	}
	return u, nil
}

// scopedPDU reads the message's scopedPDU, decrypting it first for a user
// with privacy. ok is false when an encrypted one cannot be read (absent,
// wrong key, or not a scopedPDU once decrypted): a decryption error to
// report, not a malformed message.
func scopedPDU(m *berReader, u *usmUser, up *usmParams) (sp *berReader, ok bool, err error) {
	scoped := m
	if u.Priv != "" {
		cs, ce, err := m.expect(TagOctetString, "encryptedPDU")
		if err != nil {
			return nil, false, nil
		}
		plain, err := decrypt(u, up, m.b[cs:ce])
		if err != nil {
			return nil, false, nil
		}
		scoped = newReader(plain)
	}
	ps, pe, err := scoped.expect(tagSequence, "scopedPDU")
	if err != nil {
		return nil, u.Priv == "", err
	}
	return scoped.sub(ps, pe), true, nil
}

func decodeUSM(r *berReader) (*usmParams, error) {
	s, e, err := r.expect(tagSequence, "UsmSecurityParameters")
	if err != nil {
		return nil, err
	}
	p := r.sub(s, e)
	up := &usmParams{}
	if up.engineID, err = p.octets("msgAuthoritativeEngineID"); err != nil {
		return nil, err
	}
	if up.boots, err = p.integer("msgAuthoritativeEngineBoots"); err != nil {
		return nil, err
	}
	if up.time, err = p.integer("msgAuthoritativeEngineTime"); err != nil {
		return nil, err
	}
	if up.user, err = p.octets("msgUserName"); err != nil {
		return nil, err
	}
	if up.authStart, up.authEnd, err = p.expect(TagOctetString, "msgAuthenticationParameters"); err != nil {
		return nil, err
	}
	up.authParams = p.b[up.authStart:up.authEnd]
	if up.privParams, err = p.octets("msgPrivacyParameters"); err != nil {
		return nil, err
	}
	return up, nil
}

// decrypt undoes DES-CBC (RFC 3414) or AES-CFB (RFC 3826) privacy.
func decrypt(u *usmUser, up *usmParams, ct []byte) ([]byte, error) {
	if len(up.privParams) != 8 {
		return nil, errors.New("privacy parameters are not 8 bytes")
	}
	if strings.EqualFold(u.Priv, "DES") {
		if len(ct)%des.BlockSize != 0 || len(u.privKey) < 16 {
			return nil, errors.New("des: bad length")
		}
		block, err := des.NewCipher(u.privKey[:8]) //nolint:gosec
		if err != nil {
			return nil, err
		}
		iv := make([]byte, 8)
		for i := range iv {
			iv[i] = u.privKey[8+i] ^ up.privParams[i]
		}
		out := make([]byte, len(ct))
		cipher.NewCBCDecrypter(block, iv).CryptBlocks(out, ct)
		return out, nil
	}
	block, err := aes.NewCipher(u.privKey)
	if err != nil {
		return nil, err
	}
	iv := make([]byte, 16)
	binary.BigEndian.PutUint32(iv, uint32(up.boots))
	binary.BigEndian.PutUint32(iv[4:], uint32(up.time))
	copy(iv[8:], up.privParams)
	out := make([]byte, len(ct))
	cipher.NewCFBDecrypter(block, iv).XORKeyStream(out, ct) //nolint:staticcheck // RFC 3826 is CFB-128
	return out, nil
}

// encodeV3 builds an SNMPv3 message around pdu as user (nil for an
// unauthenticated report), authenticated and encrypted as asked.
func (a *Agent) encodeV3(msgID int64, u *usmUser, auth, priv bool, ctxEngine, ctxName, pdu []byte) ([]byte, error) {
	e := a.usm
	boots, now := e.now()
	if ctxEngine == nil {
		ctxEngine = e.engineID
	}
	var scoped []byte
	scoped = appendTLV(scoped, TagOctetString, ctxEngine)
	scoped = appendTLV(scoped, TagOctetString, ctxName)
	scoped = wrap(tagSequence, append(scoped, pdu...))
	var privParams []byte
	if priv {
		salt := make([]byte, 8)
		var err error
		if strings.EqualFold(u.Priv, "DES") {
			binary.BigEndian.PutUint32(salt, uint32(boots))
			binary.BigEndian.PutUint32(salt[4:], uint32(e.salt.Add(1)))
			scoped, err = encryptDES(u, salt, scoped)
		} else {
			binary.BigEndian.PutUint64(salt, e.salt.Add(1))
			scoped, err = encryptAES(u, salt, boots, now, scoped)
		}
		if err != nil {
			return nil, err
		}
		scoped = wrap(TagOctetString, scoped)
		privParams = salt
	}
	var flags byte
	name := []byte(nil)
	macLen := 0
	if u != nil {
		name = []byte(u.Name)
	}
	if auth {
		flags |= flagAuth
		macLen = u.macLen
	}
	if priv {
		flags |= flagPriv
	}
	// The message is built inside out; authAt tracks where the digest's
	// content sits in each layer, so that it is written at a computed
	// offset, never searched for.
	var usm []byte
	usm = appendTLV(usm, TagOctetString, e.engineID)
	usm = appendInt(usm, TagInteger, boots)
	usm = appendInt(usm, TagInteger, int64(now))
	usm = appendTLV(usm, TagOctetString, name)
	authAt := len(usm) + 1 + lenOfLen(macLen) // in the sequence's content
	usm = appendTLV(usm, TagOctetString, make([]byte, macLen))
	usm = appendTLV(usm, TagOctetString, privParams)
	authAt += 1 + lenOfLen(len(usm)) // in the wrapped sequence
	usm = wrap(tagSequence, usm)
	var global []byte
	global = appendInt(global, TagInteger, msgID)
	global = appendInt(global, TagInteger, 65507)
	global = appendTLV(global, TagOctetString, []byte{flags})
	global = appendInt(global, TagInteger, 3)
	var body []byte
	body = appendInt(body, TagInteger, 3)
	body = appendTLV(body, tagSequence, global)
	authAt += len(body) + 1 + lenOfLen(len(usm)) // in the body, after the octet string's header
	body = appendTLV(body, TagOctetString, usm)
	body = append(body, scoped...)
	authAt += 1 + lenOfLen(len(body)) // in the message
	msg := wrap(tagSequence, body)
	if auth {
		mac := hmac.New(u.hash, u.authKey)
		mac.Write(msg)
		copy(msg[authAt:authAt+macLen], mac.Sum(nil)[:macLen])
	}
	return msg, nil
}

func encryptDES(u *usmUser, salt, plain []byte) ([]byte, error) {
	block, err := des.NewCipher(u.privKey[:8]) //nolint:gosec
	if err != nil {
		return nil, err
	}
	iv := make([]byte, 8)
	for i := range iv {
		iv[i] = u.privKey[8+i] ^ salt[i]
	}
	padded := append(bytes.Clone(plain), make([]byte, (des.BlockSize-len(plain)%des.BlockSize)%des.BlockSize)...)
	out := make([]byte, len(padded))
	cipher.NewCBCEncrypter(block, iv).CryptBlocks(out, padded)
	return out, nil
}

func encryptAES(u *usmUser, salt []byte, boots int64, now uint32, plain []byte) ([]byte, error) {
	block, err := aes.NewCipher(u.privKey)
	if err != nil {
		return nil, err
	}
	iv := make([]byte, 16)
	binary.BigEndian.PutUint32(iv, uint32(boots))
	binary.BigEndian.PutUint32(iv[4:], now)
	copy(iv[8:], salt)
	out := make([]byte, len(plain))
	cipher.NewCFBEncrypter(block, iv).XORKeyStream(out, plain) //nolint:staticcheck // RFC 3826 is CFB-128
	return out, nil
}
