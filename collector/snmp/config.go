package snmp

import (
	"fmt"
	"strings"

	"github.com/gosnmp/gosnmp"

	"github.com/faultline/faultline/collector"
)

// configFor resolves a target's SNMP settings and secrets. Errors name the
// device's address and the secret's reference, never a value.
func configFor(t collector.Target, opts Options) (dialConfig, error) {
	s := t.Management.SNMP
	host, port, err := hostPort(s.Address)
	if err != nil {
		return dialConfig{}, fmt.Errorf("snmp: %w", err)
	}
	cfg := dialConfig{host: host, port: port, requestTimeout: opts.RequestTimeout, retries: opts.Retries, context: s.Context}
	switch s.SNMPVersion() {
	case "2c":
		cfg.version = gosnmp.Version2c
		if s.Community == "" {
			return dialConfig{}, fmt.Errorf("snmp %s: no community set", s.Address)
		}
		cfg.community, err = s.Community.Resolve(t.Dir)
		if err != nil {
			return dialConfig{}, fmt.Errorf("snmp %s: community: %w", s.Address, err)
		}
	case "3":
		cfg.version = gosnmp.Version3
		usm := &gosnmp.UsmSecurityParameters{UserName: s.Username}
		if s.Username == "" {
			return dialConfig{}, fmt.Errorf("snmp %s: snmpv3 needs a username", s.Address)
		}
		cfg.msgFlags = gosnmp.NoAuthNoPriv
		if s.AuthProtocol != "" {
			if usm.AuthenticationProtocol, err = authProtocol(s.AuthProtocol); err != nil {
				return dialConfig{}, fmt.Errorf("snmp %s: %w", s.Address, err)
			}
			if usm.AuthenticationPassphrase, err = s.AuthPassword.Resolve(t.Dir); err != nil {
				return dialConfig{}, fmt.Errorf("snmp %s: auth password: %w", s.Address, err)
			}
			cfg.msgFlags = gosnmp.AuthNoPriv
		}
		if s.PrivProtocol != "" {
			if s.AuthProtocol == "" {
				return dialConfig{}, fmt.Errorf("snmp %s: snmpv3 privacy needs an auth protocol", s.Address)
			}
			if usm.PrivacyProtocol, err = privProtocol(s.PrivProtocol); err != nil {
				return dialConfig{}, fmt.Errorf("snmp %s: %w", s.Address, err)
			}
			if usm.PrivacyPassphrase, err = s.PrivPassword.Resolve(t.Dir); err != nil {
				return dialConfig{}, fmt.Errorf("snmp %s: priv password: %w", s.Address, err)
			}
			cfg.msgFlags = gosnmp.AuthPriv
		}
		cfg.usm = usm
	default:
		return dialConfig{}, fmt.Errorf("snmp %s: version %q is not supported (2c or 3)", s.Address, s.Version)
	}
	return cfg, nil
}

// authProtocol maps an inventory auth_protocol to gosnmp's.
func authProtocol(p string) (gosnmp.SnmpV3AuthProtocol, error) {
	switch strings.ToUpper(p) {
	case "MD5":
		return gosnmp.MD5, nil
	case "SHA":
		return gosnmp.SHA, nil
	case "SHA224":
		return gosnmp.SHA224, nil
	case "SHA256":
		return gosnmp.SHA256, nil
	case "SHA384":
		return gosnmp.SHA384, nil
	case "SHA512":
		return gosnmp.SHA512, nil
	}
	return 0, fmt.Errorf("auth protocol %q is not supported (MD5, SHA, SHA224, SHA256, SHA384, SHA512)", p)
}

// privProtocol maps an inventory priv_protocol to gosnmp's. AES192C and
// AES256C are Cisco's key extension (draft-reeder), the others RFC 3826
// and Blumenthal's.
func privProtocol(p string) (gosnmp.SnmpV3PrivProtocol, error) {
	switch strings.ToUpper(p) {
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
	return 0, fmt.Errorf("priv protocol %q is not supported (DES, AES, AES192, AES256, AES192C, AES256C)", p)
}
