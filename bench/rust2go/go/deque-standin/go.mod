module github.com/edwingeng/deque/v2

go 1.24
