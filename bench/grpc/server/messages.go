package main

import (
	"errors"

	"google.golang.org/protobuf/encoding/protowire"
)

// message is a protobuf message encoded by hand; field numbers match the
// prost structs of the Rust client.
type message interface {
	marshal(b []byte) []byte
	unmarshal(b []byte) error
}

var errMalformed = errors.New("malformed message")

// fields calls f with each field of a message; f returns the bytes consumed
// by the value, or a negative number.
func fields(b []byte, f func(num protowire.Number, typ protowire.Type, b []byte) int) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return errMalformed
		}
		b = b[n:]
		m := f(num, typ, b)
		if m < 0 {
			m = protowire.ConsumeFieldValue(num, typ, b)
		}
		if m < 0 {
			return errMalformed
		}
		b = b[m:]
	}
	return nil
}

func varint(b []byte, dst *uint64) int {
	v, n := protowire.ConsumeVarint(b)
	*dst = v
	return n
}

type pair struct{ a, b int64 }

func (m *pair) marshal(b []byte) []byte {
	b = protowire.AppendTag(b, 1, protowire.VarintType)
	b = protowire.AppendVarint(b, uint64(m.a))
	b = protowire.AppendTag(b, 2, protowire.VarintType)
	return protowire.AppendVarint(b, uint64(m.b))
}

func (m *pair) unmarshal(b []byte) error {
	return fields(b, func(num protowire.Number, typ protowire.Type, b []byte) int {
		var v uint64
		switch {
		case num == 1 && typ == protowire.VarintType:
			n := varint(b, &v)
			m.a = int64(v)
			return n
		case num == 2 && typ == protowire.VarintType:
			n := varint(b, &v)
			m.b = int64(v)
			return n
		}
		return -1
	})
}

type integer struct{ v int64 }

func (m *integer) marshal(b []byte) []byte {
	b = protowire.AppendTag(b, 1, protowire.VarintType)
	return protowire.AppendVarint(b, uint64(m.v))
}

func (m *integer) unmarshal(b []byte) error {
	return fields(b, func(num protowire.Number, typ protowire.Type, b []byte) int {
		if num == 1 && typ == protowire.VarintType {
			var v uint64
			n := varint(b, &v)
			m.v = int64(v)
			return n
		}
		return -1
	})
}

type number struct{ v uint64 }

func (m *number) marshal(b []byte) []byte {
	b = protowire.AppendTag(b, 1, protowire.VarintType)
	return protowire.AppendVarint(b, m.v)
}

func (m *number) unmarshal(b []byte) error {
	return fields(b, func(num protowire.Number, typ protowire.Type, b []byte) int {
		if num == 1 && typ == protowire.VarintType {
			return varint(b, &m.v)
		}
		return -1
	})
}

type blob struct{ data []byte }

func (m *blob) marshal(b []byte) []byte {
	b = protowire.AppendTag(b, 1, protowire.BytesType)
	return protowire.AppendBytes(b, m.data)
}

func (m *blob) unmarshal(b []byte) error {
	return fields(b, func(num protowire.Number, typ protowire.Type, b []byte) int {
		if num == 1 && typ == protowire.BytesType {
			v, n := protowire.ConsumeBytes(b)
			m.data = append([]byte(nil), v...)
			return n
		}
		return -1
	})
}

type item struct {
	name string
	tag  uint8
}

type items struct{ items []item }

func (m *items) marshal(b []byte) []byte {
	for _, it := range m.items {
		size := protowire.SizeTag(1) + protowire.SizeBytes(len(it.name)) +
			protowire.SizeTag(2) + protowire.SizeVarint(uint64(it.tag))
		b = protowire.AppendTag(b, 1, protowire.BytesType)
		b = protowire.AppendVarint(b, uint64(size))
		b = protowire.AppendTag(b, 1, protowire.BytesType)
		b = protowire.AppendString(b, it.name)
		b = protowire.AppendTag(b, 2, protowire.VarintType)
		b = protowire.AppendVarint(b, uint64(it.tag))
	}
	return b
}

func (m *items) unmarshal(b []byte) error {
	var bad error
	err := fields(b, func(num protowire.Number, typ protowire.Type, b []byte) int {
		if num != 1 || typ != protowire.BytesType {
			return -1
		}
		v, n := protowire.ConsumeBytes(b)
		var it item
		bad = errors.Join(bad, fields(v, func(num protowire.Number, typ protowire.Type, b []byte) int {
			switch {
			case num == 1 && typ == protowire.BytesType:
				s, n := protowire.ConsumeString(b)
				it.name = s
				return n
			case num == 2 && typ == protowire.VarintType:
				var t uint64
				n := varint(b, &t)
				it.tag = uint8(t)
				return n
			}
			return -1
		}))
		m.items = append(m.items, it)
		return n
	})
	return errors.Join(err, bad)
}
