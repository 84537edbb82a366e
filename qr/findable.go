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
// code. The search behaves differently at different scales (at 1 and 2 it
// rarely fails); with these four checked, 1500 random realistic payloads
// were read at every scale from 2 to 12.
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
	var candidates []*Code
	penalty := map[*Code]int{}
	for mask := 0; mask < 8; mask++ {
		if mask == c.mask {
			continue
		}
		alt, p, err := c.withMask(codewords, mask)
		if err != nil {
			return err
		}
		candidates = append(candidates, alt)
		penalty[alt] = p
	}
	sort.SliceStable(candidates, func(i, j int) bool { return penalty[candidates[i]] < penalty[candidates[j]] })
	for _, alt := range candidates {
		if alt.zxingReads() {
			*c = *alt
			return nil
		}
	}
	// Never seen: keep the standard's choice, which zbar and others read.
	return nil
}

// withMask places codewords, c's code words, with mask, and returns the
// resulting code and its penalty score by the standard's rules.
func (c *Code) withMask(codewords *gozxing.BitArray, mask int) (*Code, int, error) {
	ec, err := decoder.ErrorCorrectionLevel_ValueOf(string(c.level))
	if err != nil {
		return nil, 0, err
	}
	version, err := decoder.Version_GetVersionForNumber(c.version)
	if err != nil {
		return nil, 0, err
	}
	n := c.Size() - 2*c.quiet
	m := encoder.NewByteMatrix(n, n)
	if err := encoder.MatrixUtil_buildMatrix(codewords, ec, version, mask, m); err != nil {
		return nil, 0, fmt.Errorf("qr: placing the code words with mask %d: %w", mask, err)
	}
	penalty := encoder.MaskUtil_applyMaskPenaltyRule1(m) + encoder.MaskUtil_applyMaskPenaltyRule2(m) +
		encoder.MaskUtil_applyMaskPenaltyRule3(m) + encoder.MaskUtil_applyMaskPenaltyRule4(m)
	alt := &Code{text: c.text, version: c.version, level: c.level, mask: mask, quiet: c.quiet}
	alt.dark = make([][]bool, c.Size())
	for y := range alt.dark {
		alt.dark[y] = make([]bool, c.Size())
	}
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			alt.dark[y+c.quiet][x+c.quiet] = m.Get(x, y) == 1
		}
	}
	return alt, penalty, nil
}

// zxingReads reports whether gozxing reads c, drawn black on white, at
// every one of findableScales. The picture goes to gozxing as luminance
// bytes, through the binarizer that readers use on camera frames.
func (c *Code) zxingReads() bool {
	reader := gozxingqr.NewQRCodeReader()
	n := c.Size()
	for _, scale := range findableScales {
		w := n * scale
		lum := make([]byte, w*w)
		for y := 0; y < w; y++ {
			row := lum[y*w : (y+1)*w]
			for x := range row {
				if !c.Dark(x/scale, y/scale) {
					row[x] = 0xff
				}
			}
		}
		src, err := gozxing.NewPlanarYUVLuminanceSource(lum, w, w, 0, 0, w, w, false)
		if err != nil {
			return false
		}
		bmp, err := gozxing.NewBinaryBitmap(gozxing.NewHybridBinarizer(src))
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
	n := c.Size() - 2*c.quiet
	bits, err := gozxing.NewSquareBitMatrix(n)
	if err != nil {
		return nil, err
	}
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			if c.Dark(x+c.quiet, y+c.quiet) {
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
