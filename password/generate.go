// Package password owns the installer's root password: it generates a
// passphrase of random words, checks a password a user chooses, sets it with
// chpasswd, and records it in the state directory only once chpasswd has
// accepted it, so that no viewer ever shows a password that does not work.
//
// The words come from the EFF large word list (7776 words, © Electronic
// Frontier Foundation, CC BY 3.0 US,
// https://www.eff.org/deeplinks/2016/07/new-wordlists-random-passphrases)
// as packaged by github.com/sethvargo/go-diceware (MIT). Randomness comes
// from crypto/rand.
package password

import (
	"crypto/rand"
	"fmt"
	"math"
	"math/big"
	"strings"
	"sync"

	"github.com/sethvargo/go-diceware/diceware"
)

const (
	// DefaultWords is the number of words of a generated passphrase.
	DefaultWords = 4
	// MinWords is the fewest words a passphrase may have (about 39 bits).
	MinWords = 3
	// MaxWords bounds --words so a typo cannot ask for a megabyte password.
	MaxWords = 20
	// Separator joins the words. No word contains it, so a passphrase
	// splits back into its words.
	Separator = "-"
	// ListSize is len(Words()), a constant so that the entropy can be
	// stated (in --help) without building the list.
	ListSize = 7775
)

// Words returns the word list passphrases are drawn from: every distinct
// word of the EFF large list, each made of lowercase ASCII letters only.
// The caller must not modify the slice.
func Words() []string { return wordList() }

var wordList = sync.OnceValue(buildWordList)

func buildWordList() []string {
	// go-diceware indexes its lists by dice rolls (11111 to 66666). It
	// drops the hyphens of the EFF list's four hyphenated words, which
	// turns "yo-yo" into a second "yoyo". Drawing by dice would make that
	// word twice as likely as the others, so we collect the distinct words
	// and draw uniformly among them instead. Words that are not plain
	// lowercase ASCII letters are left out so that a passphrase is easy to
	// type on any keyboard layout and never contains the separator.
	list := diceware.WordListEffLarge()
	seen := make(map[string]bool)
	var words []string
	for _, roll := range diceRolls(list.Digits()) {
		w := list.WordAt(roll)
		if !lowercaseASCII(w) || seen[w] {
			continue
		}
		seen[w] = true
		words = append(words, w)
	}
	if len(words) != ListSize {
		// The list is compiled in; this only fires if the library changes.
		panic(fmt.Sprintf("password: the diceware word list has %d usable words, not %d", len(words), ListSize))
	}
	return words
}

// diceRolls lists every roll of digits six-sided dice as the decimal number
// go-diceware uses as an index (for 5 dice: 11111, 11112, ... 66666).
func diceRolls(digits int) []int {
	rolls := []int{0}
	for range digits {
		next := make([]int, 0, len(rolls)*6)
		for _, r := range rolls {
			for face := 1; face <= 6; face++ {
				next = append(next, r*10+face)
			}
		}
		rolls = next
	}
	return rolls
}

func lowercaseASCII(w string) bool {
	if w == "" {
		return false
	}
	for i := 0; i < len(w); i++ {
		if w[i] < 'a' || w[i] > 'z' {
			return false
		}
	}
	return true
}

// CheckWords says whether n is an allowed number of words.
func CheckWords(n int) error {
	if n < MinWords || n > MaxWords {
		return fmt.Errorf("a passphrase has %d to %d words, not %d", MinWords, MaxWords, n)
	}
	return nil
}

// Generate returns a passphrase of n words drawn uniformly and independently
// from Words with crypto/rand, joined by Separator.
func Generate(n int) (string, error) {
	if err := CheckWords(n); err != nil {
		return "", err
	}
	words := Words()
	size := big.NewInt(int64(len(words)))
	picked := make([]string, n)
	for i := range picked {
		k, err := rand.Int(rand.Reader, size)
		if err != nil {
			return "", fmt.Errorf("reading random numbers: %w", err)
		}
		picked[i] = words[k.Int64()]
	}
	return strings.Join(picked, Separator), nil
}

// EntropyBits is the entropy of a generated passphrase of n words:
// n × log2(ListSize), about 12.9 bits a word.
func EntropyBits(n int) float64 {
	return float64(n) * math.Log2(ListSize)
}
