package shape

// MaxImageWidth is the largest width a client may ask an image for.
const MaxImageWidth = 4096

// ImageIndex picks, from images whose widths are given in any order, the one
// to serve a screen that is want pixels wide: the narrowest image at least
// want wide, else the widest image. It returns -1 when widths is empty. Among
// images of equal width the first wins.
func ImageIndex(widths []int, want int) int {
	best, widest := -1, -1
	for i, w := range widths {
		if widest < 0 || w > widths[widest] {
			widest = i
		}
		if w >= want && (best < 0 || w < widths[best]) {
			best = i
		}
	}
	if best >= 0 {
		return best
	}
	return widest
}
