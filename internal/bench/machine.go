package bench

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
)

// Machine describes where a benchmark ran. Fields the platform does not
// reveal are left empty (or 0).
type Machine struct {
	CPU         string // CPU model, from /proc/cpuinfo
	Cores       int    // logical CPUs (runtime.NumCPU)
	GOMAXPROCS  int
	MemoryBytes uint64 // physical memory, from /proc/meminfo
	OS          string // GOOS/GOARCH and the kernel release
	Go          string // the Go version the binary was built with
	Database    string // filled in by the caller, e.g. "PostgreSQL 16.4, PostGIS 3.4.2"
}

// DescribeMachine reads the CPU model, core count, memory size, operating
// system and Go version of the running machine. It never fails: what it
// cannot read stays empty.
func DescribeMachine() Machine {
	m := Machine{
		Cores:      runtime.NumCPU(),
		GOMAXPROCS: runtime.GOMAXPROCS(0),
		OS:         runtime.GOOS + "/" + runtime.GOARCH,
		Go:         runtime.Version(),
	}
	if v, ok := procField("/proc/cpuinfo", "model name"); ok {
		m.CPU = strings.Join(strings.Fields(v), " ")
	}
	if v, ok := procField("/proc/meminfo", "MemTotal"); ok {
		// "23950716 kB"
		if f := strings.Fields(v); len(f) == 2 && f[1] == "kB" {
			if kb, err := strconv.ParseUint(f[0], 10, 64); err == nil {
				m.MemoryBytes = kb << 10
			}
		}
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.OS += " " + strings.TrimSpace(string(b))
	}
	return m
}

// String gives the machine on one line, e.g. "Intel Xeon …, 2 cores
// (GOMAXPROCS 2), 23.4 GiB RAM, linux/amd64 6.1.0, go1.26.8, PostgreSQL 16.4".
func (m Machine) String() string {
	var parts []string
	cpu := m.CPU
	if cpu == "" {
		cpu = "unknown CPU"
	}
	parts = append(parts, cpu, fmt.Sprintf("%d cores (GOMAXPROCS %d)", m.Cores, m.GOMAXPROCS))
	if m.MemoryBytes > 0 {
		parts = append(parts, fmt.Sprintf("%.1f GiB RAM", float64(m.MemoryBytes)/(1<<30)))
	}
	parts = append(parts, m.OS, m.Go)
	if m.Database != "" {
		parts = append(parts, m.Database)
	}
	return strings.Join(parts, ", ")
}

// procField returns the value of the first "key: value" line of a /proc
// file whose key is key.
func procField(path, key string) (string, bool) {
	f, err := os.Open(path)
	if err != nil {
		return "", false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v), true
		}
	}
	return "", false
}

// machineCPU returns the busy and total CPU time of all CPUs, in clock
// ticks, from the first line of /proc/stat; ok is false where there is no
// such file. Busy is everything but idle and iowait.
func machineCPU() (busy, total uint64, ok bool) {
	f, err := os.Open("/proc/stat")
	if err != nil {
		return 0, 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	if !sc.Scan() {
		return 0, 0, false
	}
	fields := strings.Fields(sc.Text())
	if len(fields) < 5 || fields[0] != "cpu" {
		return 0, 0, false
	}
	// user nice system idle iowait irq softirq steal (guest time is already
	// counted in user and nice).
	for i, s := range fields[1:min(len(fields), 9)] {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return 0, 0, false
		}
		total += n
		if i != 3 && i != 4 {
			busy += n
		}
	}
	return busy, total, true
}
