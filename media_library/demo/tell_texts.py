"""What each demo tell says, in every site language, and how a re-run of seed_demo finds the
translations of a tell an earlier run made in English only (`matching`).

Written for readers of each language, not word for word; the names of the two women are
spelled as each language spells them.
"""

from __future__ import annotations

import re

from languages.texts import Texts

# Whose face was pasted, as each language names her.
HOPPER_NAME = Texts("Grace Hopper", "Grace Hopper", "格蕾丝·霍珀")
COLLINS_NAME = Texts("Eileen Collins", "Eileen Collins", "艾琳·柯林斯")


def face_edges_swap(face_from: Texts) -> Texts:
    return Texts(
        f"The face is {face_from.en}'s, pasted inside an oval that fades in at its rim: "
        "around the edge of the oval the skin changes texture and shade, and lines of "
        "the two faces meet without joining up.",
        f"La cara es la de {face_from.es}, pegada dentro de un óvalo que se difumina en "
        "el borde: alrededor del óvalo la piel cambia de textura y de tono, y las líneas "
        "de las dos caras se encuentran sin llegar a unirse.",
        f"这张脸是{face_from.zh_hans}的，被贴在一个边缘渐隐的椭圆里：在椭圆边缘一圈，"
        "皮肤的质感和色调发生变化，两张脸的线条碰在一起却没有接上。",
    )


PASTED_SKIN = Texts(
    "The pasted face's colour was matched to this photo only on average: its "
    "shading and the direction of its light come from the other portrait, so it "
    "looks lit differently from the neck, ears and hair around it.",
    "El color de la cara pegada solo se ajustó a esta foto en promedio: sus sombras "
    "y la dirección de la luz vienen del otro retrato, así que parece iluminada de "
    "otra forma que el cuello, las orejas y el pelo que la rodean.",
    "贴上去的脸只在整体平均色上与这张照片做了匹配：它的明暗和光线方向来自另一张"
    "肖像，所以看起来和周围的脖子、耳朵、头发受光不一样。",
)


HOPPER_GLASSES_CUT = Texts(
    "Hopper's glasses came along with her face and stop dead at the edge of the "
    "pasted oval: the frames have no arms running back to the ears.",
    "Las gafas de Hopper vinieron con su cara y se cortan en seco en el borde del "
    "óvalo pegado: la montura no tiene patillas que lleguen hasta las orejas.",
    "霍珀的眼镜跟着她的脸一起被贴了过来，到椭圆边缘就戛然而止：镜框没有伸向耳朵的镜腿。",
)


HOPPER_GLASSES_ARMS_ONLY = Texts(
    "The arms of Hopper's glasses still run from her temples, but the lenses and "
    "frames that belong over the eyes are gone.",
    "Las patillas de las gafas de Hopper siguen saliendo de sus sienes, pero los "
    "cristales y la montura que deberían estar sobre los ojos han desaparecido.",
    "霍珀眼镜的镜腿仍从她的太阳穴伸出，可本该架在眼睛前的镜片和镜框却不见了。",
)


def hair_enlarged(enlargement: float) -> Texts:
    return Texts(
        f"The pasted face was enlarged about {enlargement:.1f} times from a smaller "
        "photo: it is soft next to the sharp detail of the cap, hair and collar, and a "
        "fringe of another woman's hair shows under the cap.",
        f"La cara pegada se amplió unas {enlargement:.1f} veces a partir de una foto más "
        "pequeña: se ve borrosa junto al detalle nítido de la gorra, el pelo y el cuello "
        "del uniforme, y bajo la gorra asoma un flequillo de otra mujer.",
        f"贴上去的脸是从一张较小的照片放大了约 {enlargement:.1f} 倍得来的：和帽子、头发、"
        "衣领的清晰细节相比，它显得发虚；帽檐下还露出了另一位女士的刘海。",
    )


MORPH_TWO_MOUTHS = Texts(
    "Two mouths show through each other: a wide smile with teeth and a closed "
    "mouth, each at half strength.",
    "Se ven dos bocas superpuestas: una sonrisa amplia que enseña los dientes y una "
    "boca cerrada, cada una a media intensidad.",
    "两张嘴叠在一起若隐若现：一张露齿大笑，一张紧闭，各自只有一半的浓度。",
)


MORPH_DOUBLED = Texts(
    "Eyes, brows and glasses frames are doubled like a double exposure, and the "
    "face fades into the head at the rim of an oval.",
    "Los ojos, las cejas y la montura de las gafas salen duplicados, como en una "
    "doble exposición, y la cara se funde con la cabeza en el borde de un óvalo.",
    "眼睛、眉毛和镜框都出现了重影，像是二次曝光；脸在一个椭圆的边缘处渐渐融进头部。",
)


VIDEO_OVAL_SLIDES = Texts(
    "Every frame was swapped on its own: the pasted oval is placed from that "
    "frame's face detection, so it slides and changes size a little against the "
    "head as the camera moves in, and its edge shimmers. The box covers where the "
    "oval goes in the last second.",
    "Cada fotograma se cambió por separado: el óvalo pegado se coloca según la cara "
    "detectada en ese fotograma, así que se desliza y cambia un poco de tamaño "
    "sobre la cabeza mientras la cámara se acerca, y su borde parpadea. El recuadro "
    "marca por dónde pasa el óvalo en el último segundo.",
    "每一帧都是单独换脸的：贴上去的椭圆按该帧检测到的人脸位置摆放，所以镜头推近时，"
    "它会相对头部轻微滑动、忽大忽小，边缘也在闪烁。方框标出的是最后一秒里椭圆所在"
    "的范围。",
)


VIDEO_GLASSES_CUT = Texts(
    "Hopper's glasses came with her face and end at the edge of the oval, with no "
    "arms running back to the ears.",
    "Las gafas de Hopper vinieron con su cara y terminan en el borde del óvalo, sin "
    "patillas que lleguen a las orejas.",
    "霍珀的眼镜跟着她的脸一起过来，到椭圆边缘就断了，没有伸向耳朵的镜腿。",
)


ROCKET_FALSE_CAPTION = Texts(
    "The photo is real but the caption is false: it shows a SpaceX Falcon 9 "
    "carrying the DSCOVR satellite in 2015, not Apollo 11 in 1969. The Saturn V was "
    "a different, much larger rocket, and the tall lightning towers around this pad "
    "are modern.",
    "La foto es real, pero el rótulo es falso: muestra un Falcon 9 de SpaceX con el "
    "satélite DSCOVR en 2015, no el Apolo 11 en 1969. El Saturno V era otro cohete, "
    "mucho más grande, y las altas torres pararrayos que rodean esta plataforma son "
    "modernas.",
    "照片是真实的，但配文是假的：画面是 2015 年搭载 DSCOVR 卫星的 SpaceX 猎鹰 9 号，"
    "而不是 1969 年的阿波罗 11 号。土星五号是另一枚大得多的火箭，而这座发射台周围"
    "高高的避雷塔是现代才有的。",
)


MODEL_CROP = Texts(
    "A crop of NASA's portrait of Eileen Collins: the full photo shows this is a "
    "desk model of the shuttle a little taller than her head. Cut away from her and "
    "the table, nothing shows its size, and it reads as the real launch stack.",
    "Es un recorte del retrato de Eileen Collins de la NASA: la foto completa "
    "muestra que se trata de una maqueta de escritorio del transbordador, apenas más "
    "alta que su cabeza. Sin ella ni la mesa, nada deja ver su tamaño, y parece el "
    "transbordador de verdad listo para despegar.",
    "这是从 NASA 为艾琳·柯林斯拍摄的肖像中裁出来的一块：完整的照片显示，这只是一个"
    "比她的头稍高一点的桌面航天飞机模型。把她和桌子裁掉之后，就没有任何东西能看出"
    "它的大小，于是它看起来就像真正待发射的航天飞机。",
)


SWARM_FALSE_CAPTION = Texts(
    "The pictures are real but the caption is false: this is NASA's Hubble eXtreme "
    "Deep Field (2012), and every dot and smudge is a galaxy billions of light "
    "years away. The 'video' is a slow pan over that one still photograph.",
    "Las imágenes son reales, pero el rótulo es falso: es el Campo Ultraprofundo "
    "del Hubble de la NASA (eXtreme Deep Field, 2012), y cada punto y cada mancha es "
    "una galaxia a miles de millones de años luz. El «video» es un paneo lento "
    "sobre esa única foto fija.",
    "画面是真实的，但配文是假的：这是 NASA 哈勃望远镜的极深场图像（2012 年），"
    "其中每一个光点和每一团模糊的光斑都是一个远在数十亿光年之外的星系。所谓的"
    "“视频”，只是在这张静态照片上缓缓平移的镜头。",
)


MODEL_TILT = Texts(
    "The camera tilts up a desk model of the shuttle in NASA's portrait of Eileen "
    "Collins, never leaving the model: she, the table and anything else that shows "
    "its size stay out of the frame, so it passes for the real launch stack.",
    "La cámara recorre de abajo arriba una maqueta de escritorio del transbordador "
    "que aparece en el retrato de Eileen Collins de la NASA, sin salir nunca de la "
    "maqueta: ella, la mesa y todo lo que delataría su tamaño quedan fuera del "
    "encuadre, así que pasa por el transbordador de verdad listo para despegar.",
    "镜头沿着 NASA 艾琳·柯林斯肖像中的桌面航天飞机模型从下往上摇，始终不离开模型："
    "她本人、桌子以及任何能看出尺寸的东西都在画面之外，于是模型就被当成了真正待"
    "发射的航天飞机。",
)


FIXED = (
    PASTED_SKIN,
    HOPPER_GLASSES_CUT,
    HOPPER_GLASSES_ARMS_ONLY,
    MORPH_TWO_MOUTHS,
    MORPH_DOUBLED,
    VIDEO_OVAL_SLIDES,
    VIDEO_GLASSES_CUT,
    ROCKET_FALSE_CAPTION,
    MODEL_CROP,
    SWARM_FALSE_CAPTION,
    MODEL_TILT,
)
ENLARGED = re.compile(r"enlarged about (\d+\.\d) times")


def matching(english: str) -> Texts | None:
    """The tell text whose English is `english`, or None (a curator rewrote it)."""
    candidates = [*FIXED, face_edges_swap(HOPPER_NAME), face_edges_swap(COLLINS_NAME)]
    if found := ENLARGED.search(english):
        candidates.append(hair_enlarged(float(found.group(1))))
    return next((text for text in candidates if text.en == english), None)
