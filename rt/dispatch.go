package rt

import (
	"runtime"
	"sync/atomic"
	"time"
	"unsafe"
)

// How async calls reach a goroutine. Starting a goroutine from a cgo export
// is cheap, but it only runs once another thread wakes up and steals it from
// the exporting thread's P, and a sleeping thread's wake-up takes several
// microseconds on small machines. So a goroutine that has just finished a
// call stays for a moment, spinning, as the idle worker; the next call hands
// its job to it with two atomic operations and no wake-up. Without an idle
// worker, a call starts a goroutine as before. (ADR 0006.)

// idleSpin is how long a worker waits for the next call before it exits.
const idleSpin = 50 * time.Microsecond

// spinMaxInFlight: a worker waits for the next call only while at most this
// many calls are in flight, in Go and as Rust last reported them. With more,
// calls arrive without a pause, new goroutines start anyway, and a spinning
// worker would only hold a P that a Rust thread entering Go for the next call
// needs. Go's own count is not enough: calls Go has finished stay in flight
// in Rust until their tasks run, so a dozen tasks can look like one or two.
const spinMaxInFlight = 2

// rustBusy is whether Rust had more than spinMaxInFlight async calls in
// flight when it made the latest one (the slot header says). It is stored
// only when that changes: under load every call reads it and none writes.
var rustBusy atomic.Bool

// canSpin: with a single P, a spinning worker would hold the only P.
var canSpin = runtime.GOMAXPROCS(0) > 1

// idleSpins learns whether idle workers are claimed within idleSpin: when
// calls come further apart (a caller that sleeps between calls), spinning
// only burns a core.
var idleSpins spinPolicy

// job is one async call on its way to a goroutine.
type job struct {
	ctx      callContext
	slot     unsafe.Pointer
	lim      *Limiter
	matchErr ErrorEncoder
	handler  Handler
	src      source // the stream parameter's, or nil
	buf      []byte // the encoded result, once there is one
	status   uint32
	placed   bool // holds a place of its Limiter
	returned bool // the handler returned (did not panic or Goexit)
	done     bool // buf and status hold the outcome (invoke returned)
	// small is where a result of up to smallResult bytes is encoded: most
	// async results are a scalar or two. A larger one grows into a buffer
	// of its own. A pooled buffer taken before the handler ran would be
	// held for as long as the handler blocks: 100,000 blocked calls held
	// 50 MiB of them.
	small [header + smallResult]byte
}

// smallResult is the largest result encoded in the job itself.
const smallResult = 48

// worker is a goroutine waiting, spinning, for a job handed to it.
type worker struct {
	next atomic.Pointer[job]
}

// idle is the worker waiting for the next call, if any.
var idle atomic.Pointer[worker]

// dispatch runs j on the idle worker, or on a new goroutine.
func dispatch(j *job) {
	// Under load no worker is idle: a load, unlike a swap, leaves the
	// shared cache line where it is.
	if idle.Load() != nil {
		if w := idle.Swap(nil); w != nil {
			w.next.Store(j)
			return
		}
	}
	goroutines.Add(1)
	go work(j)
}

// work runs jobs until no call arrives within idleSpin of the last one.
func work(j *job) {
	defer goroutines.Add(-1)
	var w worker // offered as the idle worker between jobs, reused
	for j != nil {
		j.run()
		j = w.awaitJob()
	}
}

// awaitJob offers w as the idle worker and waits up to idleSpin for a job;
// nil means none came (or another worker was already idle, or spinning does
// not pay now) and the goroutine should exit. A worker is claimed at most
// once per offer: the claimer's Swap takes it out of idle before it stores
// the job.
func (w *worker) awaitJob() *job {
	if n := calls.count.Load(); !canSpin || n&closed != 0 || n > spinMaxInFlight || rustBusy.Load() {
		return nil // no call will come (shut down), or calls come anyway
	}
	if !idleSpins.shouldSpin() {
		return nil
	}
	w.next.Store(nil)
	if !idle.CompareAndSwap(nil, w) {
		return nil
	}
	deadline := time.Now().Add(idleSpin)
	for i := 0; ; i++ {
		if j := w.next.Load(); j != nil {
			idleSpins.record(true)
			return j
		}
		if i%64 == 63 {
			if time.Now().After(deadline) && idle.CompareAndSwap(w, nil) {
				idleSpins.record(false)
				return nil // withdrawn before anyone claimed it
			}
			// Let other goroutines of this P run; a claimed worker's
			// job is stored right after the claim.
			runtime.Gosched()
		}
	}
}

// run runs the job's handler and completes its slot, however the handler
// ends: it returns, returns an error, panics (with any value, nil included),
// or calls runtime.Goexit. In the last case this goroutine ends once the
// deferred calls have run, so completing the slot is itself deferred.
//
// The state lives in the job, not in these frames: the goroutine starts
// with a 2 KiB stack, and every byte these frames take from it is one a
// blocked handler cannot use before its stack is copied to 4 KiB for the
// rest of the call (TestFramesAroundAHandlerAreSmall). Keeping them small took
// 100,000 blocked calls in the benchmark from 549 to 403 MiB.
func (j *job) run() {
	defer j.ended()
	if !j.lim.acquire(&j.ctx) {
		j.buf, j.status = append(Buffer(), "r2go: the call was cancelled while it waited for a free handler"...), StatusShutdown
		j.done = true
		return
	}
	j.placed = true
	j.invoke()
	j.done = true
}

// ended releases the place and completes the slot. When invoke never
// returned, the handler called runtime.Goexit (a panic, even panic(nil),
// is recovered in invoke).
func (j *job) ended() {
	if j.placed {
		j.lim.release()
	}
	if !j.done {
		j.buf, j.status = append(Buffer(), endedGoexit...), StatusPanic
	}
	j.finish(j.status, j.buf)
	exit()
}

// invoke runs the handler and leaves its encoded result, or what it ended
// with, in buf and status.
func (j *job) invoke() {
	defer j.recovered()
	buf, err := j.handler(&j.ctx, startBuffer(j.small[:0]))
	j.returned = true
	j.buf, j.status = buf, StatusOK
	if err != nil {
		j.fail(err)
	}
}

// recovered, deferred by invoke, turns a panic into the call's result.
// After runtime.Goexit recover returns nil too, and ended reports it, since
// the goroutine never gets back to run.
func (j *job) recovered() {
	if r := recover(); r != nil || !j.returned {
		j.buf, j.status = append(Buffer(), endedWith(r, true)...), panicStatus(r)
	}
}

// fail encodes the handler's error in place of its result.
func (j *job) fail(err error) {
	if j.src != nil && j.src.shutDown() {
		// The handler's error is most likely its source's: report the cause.
		j.buf, j.status = append(j.buf[:header], "the Go side shut down while the upload was open"...), StatusShutdown
		return
	}
	j.buf, j.status = encodeError(j.buf[:header], err, j.matchErr)
}

// finish completes the slot. It forgets the slot first: once completed, Rust
// may free it and reuse its address for another call.
func (j *job) finish(status uint32, buf []byte) {
	if j.src != nil {
		j.src.end() // before the completion releases Go's reference to the slot
	}
	j.ctx.finish()
	complete(j.slot, status, buf)
	if cap(buf) == len(j.small) && &buf[:1][0] == &j.small[0] {
		return // encoded in the job: nothing to recycle
	}
	recycle(buf)
}
