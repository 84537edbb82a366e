package tor

import (
	"testing"
	"time"
)

// BenchmarkHostnameAppears measures the goal "the onion hostname is in the
// state directory within 1 s of the service starting, with no network": the
// time from Run to the hostname file, seen through inotify as a viewer sees
// it. Tor is real and offline; "new-key" makes the key first, "same-key"
// is a restart.
func BenchmarkHostnameAppears(b *testing.B) {
	for _, keep := range []bool{false, true} {
		name := "new-key"
		if keep {
			name = "same-key"
		}
		b.Run(name, func(b *testing.B) {
			cfg := offlineConfig(b)
			w := watchState(b, cfg.State)
			var total time.Duration
			for i := 0; i < b.N; i++ {
				if !keep {
					cfg.DataDir = b.TempDir()
				}
				start := time.Now()
				r := startService(b, cfg)
				w.waitHostname(b, 5*time.Second)
				total += time.Since(start)
				b.StopTimer()
				if err := r.stop(b); err != nil {
					b.Fatal(err)
				}
				removeHostname(b, cfg)
				b.StartTimer()
			}
			b.ReportMetric(total.Seconds()*1000/float64(b.N), "ms-to-hostname")
		})
	}
}

func removeHostname(tb testing.TB, cfg Config) {
	tb.Helper()
	if err := removeIfExists(cfg.State.OnionHostnamePath()); err != nil {
		tb.Fatal(err)
	}
}
