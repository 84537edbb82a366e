package password

import (
	"math"
	"regexp"
	"strings"
	"sync"
	"testing"
)

func TestWordList(t *testing.T) {
	words := Words()
	// The EFF large list has 7776 entries; go-diceware v0.3.0 spells
	// "yo-yo" as "yoyo", a duplicate that is kept once.
	if len(words) != 7775 || ListSize != 7775 {
		t.Errorf("%d words, ListSize %d, want 7775", len(words), ListSize)
	}
	seen := make(map[string]bool, len(words))
	for _, w := range words {
		if !regexp.MustCompile(`^[a-z]+$`).MatchString(w) {
			t.Errorf("word %q is not lowercase ASCII letters", w)
		}
		if seen[w] {
			t.Errorf("word %q appears twice", w)
		}
		seen[w] = true
	}
	for _, w := range []string{"abacus", "zoom", "yoyo", "tshirt"} {
		if !seen[w] {
			t.Errorf("%q missing from the list", w)
		}
	}
}

func TestEntropy(t *testing.T) {
	if got := EntropyBits(DefaultWords); math.Abs(got-51.7) > 0.05 {
		t.Errorf("EntropyBits(%d) = %.3f, want about 51.7", DefaultWords, got)
	}
	if got, want := EntropyBits(1), math.Log2(7775); got != want {
		t.Errorf("EntropyBits(1) = %v, want %v", got, want)
	}
}

func TestGenerateRejectsBadCounts(t *testing.T) {
	for _, n := range []int{-1, 0, 1, MinWords - 1, MaxWords + 1} {
		if pw, err := Generate(n); err == nil {
			t.Errorf("Generate(%d) = %q, want an error", n, pw)
		}
	}
}

// Statistical checks on many draws: the word count is respected, every word
// is from the list, no passphrase repeats, and words are drawn uniformly.
func TestGenerateStatistics(t *testing.T) {
	inList := make(map[string]int, len(Words()))
	for i, w := range Words() {
		inList[w] = i
	}
	counts := make([]int, len(Words()))
	drawn := 0
	seen := make(map[string]bool)
	for n := MinWords; n <= MaxWords; n++ {
		for range 2000 {
			pw, err := Generate(n)
			if err != nil {
				t.Fatal(err)
			}
			if seen[pw] {
				// 4 words carry 51.7 bits: a repeat among these few
				// thousand draws has odds below 1e-8.
				t.Fatalf("passphrase %q drawn twice", pw)
			}
			seen[pw] = true
			words := strings.Split(pw, Separator)
			if len(words) != n {
				t.Fatalf("Generate(%d) = %q: %d words", n, pw, len(words))
			}
			for _, w := range words {
				i, ok := inList[w]
				if !ok {
					t.Fatalf("Generate(%d) = %q: %q is not in the list", n, pw, w)
				}
				counts[i]++
				drawn++
			}
		}
	}

	// Pearson's chi-square against the uniform distribution, with
	// len(Words())-1 degrees of freedom. Accept within 6 standard deviations
	// of its mean: a fair generator fails this about once in 10^9 runs,
	// while a tenth of the words drawn 20% too often fails it.
	expected := float64(drawn) / float64(len(counts))
	chi2 := 0.0
	for _, c := range counts {
		d := float64(c) - expected
		chi2 += d * d / expected
	}
	dof := float64(len(counts) - 1)
	if sd := math.Sqrt(2 * dof); math.Abs(chi2-dof) > 6*sd {
		t.Errorf("chi-square %.0f over %d words (%.1f expected per word), want %.0f ± %.0f: not uniform",
			chi2, drawn, expected, dof, 6*sd)
	}
}

func BenchmarkGenerate(b *testing.B) {
	Words() // the list is built once per process; measure drawing only
	for b.Loop() {
		if _, err := Generate(DefaultWords); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWordList(b *testing.B) {
	for b.Loop() {
		wordList = sync.OnceValue(buildWordList)
		Words()
	}
}
