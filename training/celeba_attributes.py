"""The 40 CelebA attribute names, in the order of the official list_attr_celeba.txt and of F's 40 outputs.

The one Python copy (common.py re-exports it). It must match ATTRIBUTES in src/face/attributes.ts, name for
name and in the same order: tests/attribute-lists.test.ts checks that. Kept free of torch and numpy so the
test can import it in a fraction of a second.
"""

ATTRIBUTES = [
    "5_o_Clock_Shadow", "Arched_Eyebrows", "Attractive", "Bags_Under_Eyes", "Bald", "Bangs",
    "Big_Lips", "Big_Nose", "Black_Hair", "Blond_Hair", "Blurry", "Brown_Hair", "Bushy_Eyebrows",
    "Chubby", "Double_Chin", "Eyeglasses", "Goatee", "Gray_Hair", "Heavy_Makeup", "High_Cheekbones",
    "Male", "Mouth_Slightly_Open", "Mustache", "Narrow_Eyes", "No_Beard", "Oval_Face", "Pale_Skin",
    "Pointy_Nose", "Receding_Hairline", "Rosy_Cheeks", "Sideburns", "Smiling", "Straight_Hair",
    "Wavy_Hair", "Wearing_Earrings", "Wearing_Hat", "Wearing_Lipstick", "Wearing_Necklace",
    "Wearing_Necktie", "Young",
]

if __name__ == "__main__":  # the list as JSON, for tests/attribute-lists.test.ts
    import json

    print(json.dumps(ATTRIBUTES))
