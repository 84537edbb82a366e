package qr

import (
	"fmt"
	"sort"

	"github.com/makiuchi-d/gozxing"
	gozxingqr "github.com/makiuchi-d/gozxing/qrcode"
	"github.com/makiuchi-d/gozxing/qrcode/decoder"
	"github.com/makiuchi-d/gozxing/qrcode/encoder"
)

// Why the mask is checked.
//
// ZXing's search for the three finder patterns, which many phone scanner
// apps use, stops as soon as it has confirmed three candidates of one
// module size. A finder-like blob in the data between the top finder
// patterns and the bottom-left one then takes the real one's place, and the
// code is not found at all. The mask that go-qrcode picks by the
// standard's penalty rules leaves such a blob in about 2 codes in 100
// (ZXing's own encoder does no better). Another mask changes every data
// module, so when gozxing (a port of ZXing) cannot read the code, the same
// code words are placed again with the other masks, lowest penalty first,
// and the first one it reads is kept.

// findableScales are the pixels per module at which gozxing must read the
// code. The search behaves differently at different scales; at 1 and 2 it
// always succeeds, above 6 it fails no more than at these.
var findableScales = []int{3, 4, 5, 6}

// makeFindable replaces c's modules by a masking that gozxing reads, if
// the one it has is not read.
func (c *Code) makeFindable() error {
	if c.zxingReads() {
		return nil
	}
	codewords, err := c.codewords()
	if err != nil {
		return err
	}
	ec, err := decoder.ErrorCorrectionLevel_ValueOf(string(c.level))
	if err != nil {
		return err
	}
	version, err := decoder.Version_GetVersionForNumber(c.version)
	if err != nil {
		return err
	}
	type candidate struct {
		mask, penalty int
		matrix        *encoder.ByteMatrix
	}
	var candidates []candidate
	for mask := 0; mask < 8; mask++ {
		if mask == c.mask {
			continue
		}
		n := c.Size() - 2*QuietZone
		m := encoder.NewByteMatrix(n, n)
		if err := encoder.MatrixUtil_buildMatrix(codewords, ec, version, mask, m); err != nil {
			return fmt.Errorf("qr: placing code words with mask %d: %w", mask, err)
		}
		penalty := encoder.MaskUtil_applyMaskPenaltyRule1(m) + encoder.MaskUtil_applyMaskPenaltyRule2(m) +
			encoder.MaskUtil_applyMaskPenaltyRule3(m) + encoder.MaskUtil_applyMaskPenaltyRule4(m)
		candidates = append(candidates, candidate{mask, penalty, m})
	}
	sort.SliceStable(candidates, func(i, j int) bool { return candidates[i].penalty < candidates[j].penalty })
	for _, cand := range candidates {
		alt := &Code{text: c.text, version: c.version, level: c.level, mask: cand.mask}
		alt.dark = make([][]bool, c.Size())
		for y := range alt.dark {
			alt.dark[y] = make([]bool, c.Size())
		}
		for y := 0; y < cand.matrix.GetHeight(); y++ {
			for x := 0; x < cand.matrix.GetWidth(); x++ {
				alt.dark[y+QuietZone][x+QuietZone] = cand.matrix.Get(x, y) == 1
			}
		}
		if alt.zxingReads() {
			*c = *alt
			return nil
		}
	}
	// Never seen: keep the standard's choice, which zbar and others read.
	return nil
}

// zxingReads reports whether gozxing reads c, drawn black on white, at
// every one of findableScales.
func (c *Code) zxingReads() bool {
	reader := gozxingqr.NewQRCodeReader()
	for _, scale := range findableScales {
		img, err := c.Image(scale)
		if err != nil {
			return false
		}
		bmp, err := gozxing.NewBinaryBitmapFromImage(img)
		if err != nil {
			return false
		}
		res, err := reader.Decode(bmp, nil)
		if err != nil || res.GetText() != c.text {
			return false
		}
	}
	return true
}

// symbol returns c's modules without the quiet zone as a gozxing matrix.
func (c *Code) symbol() (*gozxing.BitMatrix, error) {
	n := c.Size() - 2*QuietZone
	bits, err := gozxing.NewSquareBitMatrix(n)
	if err != nil {
		return nil, err
	}
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			if c.Dark(x+QuietZone, y+QuietZone) {
				bits.Set(x, y)
			}
		}
	}
	return bits, nil
}

// readMask returns the mask recorded in c's format information.
func (c *Code) readMask() (int, error) {
	bits, err := c.symbol()
	if err != nil {
		return 0, err
	}
	parser, err := decoder.NewBitMatrixParser(bits)
	if err != nil {
		return 0, err
	}
	info, err := parser.ReadFormatInformation()
	if err != nil {
		return 0, fmt.Errorf("qr: reading the format information back: %w", err)
	}
	return int(info.GetDataMask()), nil
}

// codewords reads c's code words (data and error correction, interleaved
// as placed) back out of its modules.
func (c *Code) codewords() (*gozxing.BitArray, error) {
	bits, err := c.symbol()
	if err != nil {
		return nil, err
	}
	parser, err := decoder.NewBitMatrixParser(bits)
	if err != nil {
		return nil, err
	}
	words, err := parser.ReadCodewords()
	if err != nil {
		return nil, fmt.Errorf("qr: reading the code words back: %w", err)
	}
	out := gozxing.NewEmptyBitArray()
	for _, w := range words {
		if err := out.AppendBits(int(w), 8); err != nil {
			return nil, err
		}
	}
	return out, nil
}
