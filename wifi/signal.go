package wifi

// SignalDBm converts iwd's signal strength (100·dBm, as GetOrderedNetworks
// gives it) to whole dBm.
func SignalDBm(strength int16) int {
	s := int(strength)
	if s < 0 {
		return (s - 50) / 100
	}
	return (s + 50) / 100
}

// Bars converts iwd's signal strength (100·dBm) to 1–4 bars, with the
// thresholds iwctl uses: -60, -67 and -75 dBm.
func Bars(strength int16) int {
	switch {
	case strength >= -6000:
		return 4
	case strength >= -6700:
		return 3
	case strength >= -7500:
		return 2
	}
	return 1
}
