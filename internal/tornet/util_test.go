package tornet

import "strconv"

func itoa(i int) string { return strconv.Itoa(i) }

func atoi(s string) int {
	i, _ := strconv.Atoi(s)
	return i
}
