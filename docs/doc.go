// Package docs holds the user guide; its tests check that the guide's
// examples work.
package docs
