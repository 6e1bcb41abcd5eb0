true && echo a
false && echo b
true || echo c
false || echo d
false && echo e || echo f
true || echo g && echo h
false || false || echo i
true && false && echo no; echo "after $?"
echo x && echo y || echo z
false && echo a; echo $?
true&&echo tight||echo no
false ||
echo next line
echo 1 && false || echo 2 && echo 3
