package main

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"

	"example.com/embedded-db/gen"
)

// store implements gen.Store with one bbolt database.
type store struct {
	mu sync.RWMutex // guards db: open and close against the calls using it
	db *bolt.DB

	writers, peak atomic.Uint32
}

func dbError(kind gen.DbErrorKind, err error) error {
	return gen.DbError{Kind: kind, Message: err.Error()}
}

var errClosed = gen.DbError{Kind: gen.DbErrorKindClosed, Message: "the store is not open"}

func (s *store) Open(path string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.db != nil {
		return gen.DbError{Kind: gen.DbErrorKindStorage, Message: "already open"}
	}
	// A second process opening the file waits for its lock at most a second.
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		return dbError(gen.DbErrorKindStorage, err)
	}
	s.db = db
	return nil
}

// view runs f in a read-only transaction on the open database.
func (s *store) view(f func(tx *bolt.Tx) error) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.db == nil {
		return errClosed
	}
	return s.db.View(f)
}

// snippet: get
// Get copies the value out of the transaction: bbolt's slices point into
// its memory map and are valid only inside it. r2go then copies the result
// into Rust memory, which Rust owns.
func (s *store) Get(bucket, key string) ([]byte, error) {
	var value []byte
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(bucket))
		if b == nil {
			return gen.DbError{Kind: gen.DbErrorKindNotFound, Message: "no bucket " + bucket}
		}
		v := b.Get([]byte(key))
		if v == nil {
			return gen.DbError{Kind: gen.DbErrorKindNotFound, Message: "no key " + key + " in " + bucket}
		}
		value = bytes.Clone(v)
		return nil
	})
	return value, err
}

// end snippet

func (s *store) Scan(bucket, prefix string, limit uint32) ([]gen.Entry, error) {
	var entries []gen.Entry
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(bucket))
		if b == nil {
			return gen.DbError{Kind: gen.DbErrorKindNotFound, Message: "no bucket " + bucket}
		}
		c := b.Cursor()
		p := []byte(prefix)
		for k, v := c.Seek(p); k != nil && bytes.HasPrefix(k, p) && len(entries) < int(limit); k, v = c.Next() {
			entries = append(entries, gen.Entry{Key: string(k), Value: bytes.Clone(v)})
		}
		return nil
	})
	return entries, err
}

// Put runs on a goroutine, at most 4 at once (see init). The Go side owns
// entries: r2go copied them out of Rust memory before the call.
func (s *store) Put(ctx context.Context, bucket string, entries []gen.Entry) (uint64, error) {
	n := s.writers.Add(1)
	defer s.writers.Add(^uint32(0))
	for p := s.peak.Load(); n > p && !s.peak.CompareAndSwap(p, n); p = s.peak.Load() {
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.db == nil {
		return 0, errClosed
	}
	var keys uint64
	err := s.db.Update(func(tx *bolt.Tx) error {
		// Rust gave up on this call (a timeout): write nothing.
		if err := ctx.Err(); err != nil {
			return err
		}
		b, err := tx.CreateBucketIfNotExists([]byte(bucket))
		if err != nil {
			return err
		}
		for _, e := range entries {
			if err := b.Put([]byte(e.Key), e.Value); err != nil {
				return err
			}
		}
		// Stats counts only committed pages, so count the keys themselves.
		return b.ForEach(func(k, v []byte) error {
			keys++
			return nil
		})
	})
	if err != nil {
		var typed gen.DbError
		if errors.As(err, &typed) {
			return 0, typed
		}
		return 0, dbError(gen.DbErrorKindStorage, err)
	}
	return keys, nil
}

func (s *store) PeakWriters() uint32 { return s.peak.Load() }

func (s *store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.db == nil {
		return errClosed
	}
	err := s.db.Close()
	s.db = nil
	if err != nil {
		return dbError(gen.DbErrorKindStorage, err)
	}
	return nil
}
