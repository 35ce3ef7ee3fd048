module strata/native/testdata/gen

go 1.22

require (
	github.com/golang/snappy v0.0.4
	github.com/klauspost/compress v1.18.0
)
